using System.Net;
using System.Net.Sockets;

namespace Authz.Server.Hosting;

/// <summary>Turns configured host names into the addresses the host binds and advertises.</summary>
internal static class EndpointAddresses
{
    /// <summary>Whether <paramref name="host"/> means the loopback interface.</summary>
    public static bool IsLocalhost(string host) => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>An IP address as written, <c>localhost</c> as 127.0.0.1, or a host name resolved (IPv4 first).</summary>
    public static IPAddress Resolve(string host)
    {
        if (IsLocalhost(host))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        IPAddress[] candidates;
        try
        {
            candidates = Dns.GetHostAddresses(host);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"host name `{host}` does not resolve: {ex.Message}", ex);
        }

        return candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? candidates.FirstOrDefault()
            ?? throw new InvalidOperationException($"host name `{host}` resolves to no address");
    }
}
