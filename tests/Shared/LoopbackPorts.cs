using System.Net;
using System.Net.Sockets;

namespace Authz.Testing;

/// <summary>
/// Free loopback ports for a server started in a test or benchmark process. One source file, linked into each project
/// that starts a server (the test projects and the benchmarks), since those projects share no library.
/// </summary>
internal static class LoopbackPorts
{
    // Ports are drawn below the kernel's ephemeral range. A port the kernel hands out for "port 0" is also what it
    // hands out as the source port of an outgoing connection, so one picked that way can be taken by any client in a
    // parallel test process (a gRPC channel, Npgsql, an Orleans silo) before the server binds it.
    private const int Lowest = 10_000;
    private const int DefaultEphemeralStart = 32_768;

    /// <summary><paramref name="count"/> distinct loopback ports that were free a moment ago.</summary>
    public static int[] Free(int count)
    {
        var highest = EphemeralStart() - 1;
        var ports = new int[count];
        var listeners = new List<TcpListener>(count);
        try
        {
            // Hold every listener until all ports are chosen, so that they differ. The server refuses to start on a
            // port taken in between (PortAvailabilityCheck), rather than joining another silo's cluster.
            for (var attempt = 0; listeners.Count < count; attempt++)
            {
                if (attempt > 1_000)
                {
                    throw new InvalidOperationException($"no {count} free loopback ports between {Lowest} and {highest}");
                }

                var listener = new TcpListener(IPAddress.Loopback, Random.Shared.Next(Lowest, highest + 1));
                try
                {
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue;
                }

                ports[listeners.Count] = ((IPEndPoint)listener.LocalEndpoint).Port;
                listeners.Add(listener);
            }
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }

        return ports;
    }

    /// <summary>The first port of the kernel's ephemeral range on Linux; elsewhere Linux's default, below the IANA range.</summary>
    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(range)
            && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            && start > Lowest + 1_000)
        {
            return start;
        }

        return DefaultEphemeralStart;
    }
}
