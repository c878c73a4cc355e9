using System.ComponentModel.DataAnnotations;

namespace Authz.Server.Security;

/// <summary>
/// Authentication of callers. Section <c>Authz:Security</c> (environment <c>Authz__Security__BootstrapKey</c> and so on).
/// </summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Authz:Security";

    /// <summary>
    /// Whether calls must carry an access key. Default true. False is an explicit opt-out for a trusted sandbox: every
    /// call is then made as the system administrator, and a warning is logged at every start.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The system administrator's key, <c>&lt;access-key-id&gt;.&lt;secret&gt;</c>. When absent, the key in
    /// <c>&lt;data dir&gt;/bootstrap.key</c> is used, and generated there (mode 0600) on the first start.
    /// </summary>
    public string? BootstrapKey { get; set; }

    /// <summary>
    /// How long a successful verification is remembered, so PBKDF2 does not run on every call. A key that is deactivated
    /// or deleted stops working at once on the silo that served the change and within this time on the others.
    /// </summary>
    public TimeSpan VerificationCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PBKDF2-SHA256 iterations for new keys; existing keys keep the count they were hashed with.</summary>
    [Range(100_000, 10_000_000)]
    public int Pbkdf2Iterations { get; set; } = 100_000;
}
