using System.ComponentModel.DataAnnotations;

namespace Authz.Server.Options;

/// <summary>
/// The process: where gRPC listens, where data lives, how it stops. Section <c>Authz:Server</c>
/// (environment <c>Authz__Server__GrpcPort</c> and so on).
/// </summary>
public sealed class AuthzServerOptions
{
    public const string SectionName = "Authz:Server";

    /// <summary>The address gRPC (HTTP/2 without TLS) listens on: an IP address, or <c>localhost</c>. Default 127.0.0.1.</summary>
    [Required]
    public string GrpcHost { get; set; } = "127.0.0.1";

    /// <summary>The gRPC port. Default 50051; 0 picks a free port (the chosen one is logged).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 50051;

    /// <summary>
    /// The port of the Prometheus scrape endpoint (<c>GET /metrics</c>, HTTP/1.1, on <see cref="GrpcHost"/>), kept apart
    /// from the h2c gRPC port. Default 9464; 0 picks a free port; -1 turns the endpoint off.
    /// </summary>
    [Range(-1, 65535)]
    public int MetricsPort { get; set; } = 9464;

    /// <summary>
    /// Record traces of the check path (<c>Authz.Decisions</c> activity source) and export them to the console log.
    /// Off by default; when off, starting an activity costs a null check.
    /// </summary>
    public bool Tracing { get; set; }

    /// <summary>
    /// The data directory: the SQLite file lives here (<c>authz.db</c>) unless <c>Authz:Storage:SqlitePath</c> says
    /// otherwise. Default <c>./data</c>.
    /// </summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>How long a graceful shutdown may take (draining calls, deactivating grains, leaving the cluster).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Check at startup that the gRPC, silo and gateway ports are free, and refuse to start otherwise. Orleans itself
    /// does not fail when its ports are taken. Default true.
    /// </summary>
    public bool CheckPortsOnStartup { get; set; } = true;
}
