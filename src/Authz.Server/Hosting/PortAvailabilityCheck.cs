using System.Net;
using System.Net.Sockets;
using Authz.Server.Options;
using Microsoft.Extensions.Options;

namespace Authz.Server.Hosting;

/// <summary>
/// Refuses to start when the gRPC, silo or gateway port is taken. Orleans does not fail when its ports are in use
/// (the silo comes up unreachable), so without this check a second server on the same ports would look healthy.
/// Runs in <see cref="IHostedLifecycleService.StartingAsync"/>, before the silo and Kestrel bind anything.
/// </summary>
internal sealed class PortAvailabilityCheck(
    IOptions<AuthzServerOptions> server,
    IOptions<AuthzClusterOptions> cluster,
    ILogger<PortAvailabilityCheck> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!server.Value.CheckPortsOnStartup)
        {
            return Task.CompletedTask;
        }

        foreach (var (address, port, key, purpose) in PortsToCheck())
        {
            if (!IsFree(address, port))
            {
                var reason = $"port {port} on {address} ({key}, {purpose}) is already in use; stop the process holding it " +
                    $"or set {key.Replace(":", "__", StringComparison.Ordinal)} to a free port";
                Log.CannotStart(logger, reason);
                throw new PortInUseException(reason);
            }
        }

        return Task.CompletedTask;
    }

    internal IEnumerable<(IPAddress Address, int Port, string Key, string Purpose)> PortsToCheck()
    {
        var s = server.Value;
        var c = cluster.Value;
        if (s.GrpcPort != 0)
        {
            yield return (EndpointAddresses.Resolve(s.GrpcHost), s.GrpcPort, "Authz:Server:GrpcPort", "gRPC");
        }

        var siloAddress = c.Clustering switch
        {
            ClusteringMode.Redis when c.ListenOnAnyHostAddress => IPAddress.Any,
            ClusteringMode.Redis => EndpointAddresses.Resolve(c.AdvertisedHost),
            _ => IPAddress.Loopback,
        };
        yield return (siloAddress, c.SiloPort, "Authz:Cluster:SiloPort", "Orleans silo-to-silo");
        yield return (siloAddress, c.GatewayPort, "Authz:Cluster:GatewayPort", "Orleans gateway");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A port the server needs is taken by another process.</summary>
public sealed class PortInUseException : Exception
{
    public PortInUseException()
    {
    }

    public PortInUseException(string message)
        : base(message)
    {
    }

    public PortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
