using System.ComponentModel.DataAnnotations;

namespace Authz.Server.Options;

/// <summary>How silos find each other.</summary>
public enum ClusteringMode
{
    /// <summary>One silo on the loopback interface, no external membership store: the embedded default.</summary>
    Localhost,

    /// <summary>Several silos with membership in Redis (Microsoft.Orleans.Clustering.Redis); needs PostgreSQL storage.</summary>
    Redis,
}

/// <summary>
/// The Orleans silo: clustering, identity and ports. Section <c>Authz:Cluster</c>. Membership timing is Orleans'
/// own <c>ClusterMembershipOptions</c>, bound from <c>Authz:Cluster:Membership</c> (e.g.
/// <c>Authz__Cluster__Membership__ProbeTimeout=00:00:01</c>).
/// </summary>
public sealed class AuthzClusterOptions
{
    public const string SectionName = "Authz:Cluster";

    /// <summary>The section Orleans' <c>ClusterMembershipOptions</c> are bound from.</summary>
    public const string MembershipSectionName = "Authz:Cluster:Membership";

    /// <summary>Localhost (default) or Redis.</summary>
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>The cluster id: silos with the same id form one cluster. Default <c>authz</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "authz";

    /// <summary>The service id: stored grain state is keyed by it, so keep it stable across deployments. Default <c>authz</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "authz";

    /// <summary>The silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Redis clustering: the address other silos reach this one at, an IP address or a host name resolved at
    /// startup (a container's service name). Default 127.0.0.1. Localhost clustering always uses the loopback address.
    /// </summary>
    [Required]
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>Redis clustering: listen on every interface (containers) instead of the advertised address only.</summary>
    public bool ListenOnAnyHostAddress { get; set; }

    /// <summary>Redis clustering: the StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? RedisConnectionString { get; set; }
}
