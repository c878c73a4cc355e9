using System.Net;
using System.Net.Sockets;

namespace Authz.Testing;

/// <summary>
/// Free loopback ports for a server started in a test or benchmark process. One source file, linked into each project
/// that starts a server (the test projects and the benchmarks), since those projects share no library.
/// </summary>
internal static class LoopbackPorts
{
    /// <summary><paramref name="count"/> distinct loopback ports that were free a moment ago.</summary>
    public static int[] Free(int count)
    {
        // Hold every listener until all ports are read, so that they differ. The server refuses to start on a port
        // taken in between (PortAvailabilityCheck), rather than joining another silo's cluster.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}
