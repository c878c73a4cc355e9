namespace Authz.Client;

/// <summary>How an <see cref="AuthzClient"/> reaches the service.</summary>
public sealed class AuthzClientOptions
{
    /// <summary>The server addresses; calls are spread over them round robin. At least one.</summary>
    public IReadOnlyList<AuthzTarget> Targets { get; init; } = [];

    /// <summary>HTTP/2 connections per target, each with its own handler; calls are spread over them round robin. Default 1.</summary>
    public int ConnectionsPerTarget { get; init; } = 1;

    /// <summary>
    /// Whether a connection may open further connections when all of its streams are busy (the server's limit on
    /// concurrent streams, 100 by default in Kestrel). True is grpc-dotnet's default; a load generator that must use
    /// exactly <see cref="ConnectionsPerTarget"/> connections sets it to false, and calls beyond the limit then wait in
    /// the client.
    /// </summary>
    public bool AllowExtraConnections { get; init; } = true;

    /// <summary>Use TLS for targets given as <c>host:port</c>. Targets with an explicit scheme keep it. Default false (h2c).</summary>
    public bool UseTls { get; init; }

    /// <summary>Accept any server certificate (self-signed test servers). Only meaningful with TLS.</summary>
    public bool AcceptAnyServerCertificate { get; init; }

    /// <summary>Sent as <c>authorization: Bearer &lt;key&gt;</c> on every call when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>How long to wait for a TCP (and TLS) connection. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
