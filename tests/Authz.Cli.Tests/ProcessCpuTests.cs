using System.Net;
using System.Net.Sockets;
using Authz.Cli.Commands.Loadtest;

namespace Authz.Cli.Tests;

public sealed class ProcessCpuTests
{
    [Fact]
    public void Listening_inodes_are_read_from_a_proc_net_tcp_table()
    {
        string[] lines =
        [
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:C383 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:C383 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 222222 1 0000000000000000 20 4 30 10 -1",
            "   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333333 1 0000000000000000 100 0 0 10 0",
        ];
        Assert.Equal(["123456"], ProcessCpu.ListeningInodes(lines, 50051));
        Assert.Equal(["333333"], ProcessCpu.ListeningInodes(lines, 8080));
        Assert.Empty(ProcessCpu.ListeningInodes(lines, 1234));
    }

    [Fact]
    public void Finds_the_process_listening_on_a_local_port()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.Equal(Environment.ProcessId, ProcessCpu.FindListeningProcess(port));
    }

    [Fact]
    public void Reads_cpu_time_of_this_process()
    {
        Assert.True(ProcessCpu.Current() > TimeSpan.Zero);
        Assert.NotNull(ProcessCpu.Of(Environment.ProcessId));
        Assert.Null(ProcessCpu.OfAll([]));
    }
}
