namespace Authz.Grains;

/// <summary>
/// The quotas admin writes obey, AWS IAM's by default; bound from <c>Authz:Quotas</c> (<c>Authz__Quotas__GroupsPerUser</c>).
/// Document sizes count non-whitespace characters.
/// </summary>
public sealed class AuthzQuotaOptions
{
    public const string SectionName = "Authz:Quotas";

    /// <summary>Managed policies attached to one user, group or role.</summary>
    public int ManagedPoliciesPerPrincipal { get; set; } = 10;

    /// <summary>Groups one user belongs to.</summary>
    public int GroupsPerUser { get; set; } = 10;

    /// <summary>Versions kept per managed policy.</summary>
    public int VersionsPerPolicy { get; set; } = 5;

    /// <summary>Access keys per user or role (AWS allows 2, so that a key can be rotated without downtime).</summary>
    public int AccessKeysPerPrincipal { get; set; } = 2;

    /// <summary>Tags per user, role or resource.</summary>
    public int TagsPerEntity { get; set; } = 50;

    public int ManagedPolicyCharacters { get; set; } = 6144;
    public int UserInlinePolicyCharacters { get; set; } = 2048;
    public int GroupInlinePolicyCharacters { get; set; } = 5120;
    public int RoleInlinePolicyCharacters { get; set; } = 10240;
    public int ResourcePolicyCharacters { get; set; } = 10240;

    /// <summary>Role trust policies (AWS's default is 2,048).</summary>
    public int TrustPolicyCharacters { get; set; } = 2048;

    /// <summary>Tenant guardrails (AWS's service control policy limit is 5,120).</summary>
    public int GuardrailCharacters { get; set; } = 5120;
}
