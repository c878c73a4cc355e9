using System.Diagnostics.CodeAnalysis;

namespace Authz.Grains;

/// <summary>
/// Every grain key and ARN of the service is built here, and nowhere else.
/// </summary>
/// <remarks>
/// Names are unique per tenant case-insensitively (as in AWS IAM), so entity keys hold the lowercased name:
/// <c>111122223333/alice</c>. The name as written is kept in the grain's state. A managed policy is keyed by its name
/// alone (its path is part of its ARN, not of its identity) and checks the path of every ARN it is addressed by.
/// Resources are keyed by their full ARN, which is case-sensitive.
/// </remarks>
public static class GrainKeys
{
    /// <summary>The key of the one grain that lists every tenant.</summary>
    public const string TenantCatalog = "tenants";

    /// <summary>The key of a tenant grain.</summary>
    public static string Tenant(string tenantId) => tenantId;

    /// <summary>The key of a user, group, role or managed policy grain: <c>tenant/lowercased-name</c>.</summary>
    public static string Entity(string tenantId, string name) => tenantId + "/" + name.ToLowerInvariant();

    /// <summary>The tenant part of an entity key.</summary>
    public static string TenantOf(string entityKey)
    {
        var slash = entityKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? entityKey : entityKey[..slash];
    }

    /// <summary>The key of an access key grain: the access key id (globally unique, like AWS's).</summary>
    public static string AccessKey(string accessKeyId) => accessKeyId;

    /// <summary>The key of the list of access keys of a user or role: <c>tenant/user/lowercased-name</c>.</summary>
    public static string AccessKeyList(string tenantId, EntityKind kind, string name) =>
        tenantId + "/" + kind.ToString().ToLowerInvariant() + "/" + name.ToLowerInvariant();

    /// <summary>The key of a resource grain: the ARN itself.</summary>
    public static string Resource(string resourceArn) => resourceArn;

    /// <summary>
    /// The key of the resource tree grain that indexes <paramref name="resourceArn"/>: the ARN up to its first <c>/</c>.
    /// A policy on <c>X</c> governs <c>X/...</c>, so every ancestor of an ARN has the same tree key.
    /// </summary>
    public static string ResourceTree(string resourceArn)
    {
        var key = ResourceTreeSpan(resourceArn);
        return key.Length == resourceArn.Length ? resourceArn : key.ToString();
    }

    /// <summary><see cref="ResourceTree"/> without copying, for lookups on the check path.</summary>
    public static ReadOnlySpan<char> ResourceTreeSpan(string resourceArn)
    {
        var slash = resourceArn.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? resourceArn : resourceArn.AsSpan(0, slash);
    }

    /// <summary>
    /// <paramref name="resourceArn"/> and every ARN that governs it, nearest first: <c>b/x/y</c>, <c>b/x</c>, <c>b</c>.
    /// </summary>
    public static IEnumerable<string> SelfAndAncestors(string resourceArn)
    {
        var current = resourceArn;
        while (true)
        {
            yield return current;
            var slash = current.LastIndexOf('/');
            if (slash <= 0)
            {
                yield break;
            }

            current = current[..slash];
        }
    }

    /// <summary>Whether <paramref name="ancestor"/> governs <paramref name="resourceArn"/> (equal, or <c>ancestor/...</c>).</summary>
    public static bool Governs(string ancestor, string resourceArn) =>
        resourceArn.Length == ancestor.Length
            ? string.Equals(ancestor, resourceArn, StringComparison.Ordinal)
            : resourceArn.Length > ancestor.Length && resourceArn[ancestor.Length] == '/' && resourceArn.StartsWith(ancestor, StringComparison.Ordinal);

    public static string UserArn(string tenantId, string path, string name) => $"arn:aws:iam::{tenantId}:user{path}{name}";

    public static string GroupArn(string tenantId, string path, string name) => $"arn:aws:iam::{tenantId}:group{path}{name}";

    public static string RoleArn(string tenantId, string path, string name) => $"arn:aws:iam::{tenantId}:role{path}{name}";

    public static string PolicyArn(string tenantId, string path, string name) => $"arn:aws:iam::{tenantId}:policy{path}{name}";

    /// <summary>Parses a managed policy ARN <c>arn:aws:iam::&lt;tenant&gt;:policy&lt;path&gt;&lt;name&gt;</c>.</summary>
    public static bool TryParsePolicyArn(string? arn, [NotNullWhen(true)] out string? tenantId, [NotNullWhen(true)] out string? path, [NotNullWhen(true)] out string? name) =>
        TryParseIamArn(arn, "iam", "policy", out tenantId, out path, out name);

    /// <summary>
    /// Parses the ARN of a principal the decision path evaluates: a user, a role, or a role session
    /// (<c>arn:aws:sts::&lt;tenant&gt;:assumed-role/&lt;role&gt;/&lt;session&gt;</c>, which evaluates as its role).
    /// </summary>
    public static bool TryParsePrincipalArn(string? arn, out EntityKind kind, [NotNullWhen(true)] out string? tenantId, [NotNullWhen(true)] out string? name)
    {
        kind = EntityKind.User;
        if (TryParseIamArn(arn, "iam", "user", out tenantId, out _, out name))
        {
            return true;
        }

        kind = EntityKind.Role;
        if (TryParseIamArn(arn, "iam", "role", out tenantId, out _, out name))
        {
            return true;
        }

        const string prefix = "arn:aws:sts::";
        tenantId = name = null;
        if (arn is null || !arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = arn.AsSpan(prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon != 12 || AdminNames.CheckTenantId(rest[..12].ToString()) is not null)
        {
            return false;
        }

        var resource = rest[13..];
        if (!resource.StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            return false;
        }

        resource = resource["assumed-role/".Length..];
        var slash = resource.IndexOf('/');
        if (slash <= 0 || slash == resource.Length - 1 || resource[(slash + 1)..].Contains('/'))
        {
            return false;
        }

        var roleName = resource[..slash].ToString();
        if (AdminNames.CheckPrincipalName(roleName) is not null)
        {
            return false;
        }

        tenantId = rest[..12].ToString();
        name = roleName;
        return true;
    }

    private static bool TryParseIamArn(string? arn, string service, string type, [NotNullWhen(true)] out string? tenantId, [NotNullWhen(true)] out string? path, [NotNullWhen(true)] out string? name)
    {
        tenantId = path = name = null;
        var prefix = $"arn:aws:{service}::";
        if (arn is null || !arn.StartsWith(prefix, StringComparison.Ordinal) || arn.Length < prefix.Length + 14)
        {
            return false;
        }

        var account = arn.Substring(prefix.Length, 12);
        if (AdminNames.CheckTenantId(account) is not null || arn[prefix.Length + 12] != ':')
        {
            return false;
        }

        var resource = arn[(prefix.Length + 13)..];
        if (!resource.StartsWith(type + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var pathAndName = resource[type.Length..];
        var lastSlash = pathAndName.LastIndexOf('/');
        var candidatePath = pathAndName[..(lastSlash + 1)];
        var candidateName = pathAndName[(lastSlash + 1)..];
        var nameError = type is "user" or "role" ? AdminNames.CheckPrincipalName(candidateName) : AdminNames.CheckPolicyName(candidateName);
        if (nameError is not null || AdminNames.CheckPath(candidatePath) is not null)
        {
            return false;
        }

        tenantId = account;
        path = candidatePath;
        name = candidateName;
        return true;
    }
}

/// <summary>Typed access to the service's grains by the keys of <see cref="GrainKeys"/>.</summary>
public static class AuthzGrainFactoryExtensions
{
    public static ITenantGrain GetTenant(this IGrainFactory grains, string tenantId) =>
        grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenantId));

    public static ITenantCatalogGrain GetTenantCatalog(this IGrainFactory grains) =>
        grains.GetGrain<ITenantCatalogGrain>(GrainKeys.TenantCatalog);

    public static ITenantLifecycleGrain GetTenantLifecycle(this IGrainFactory grains, string tenantId) =>
        grains.GetGrain<ITenantLifecycleGrain>(GrainKeys.Tenant(tenantId));

    public static IUserGrain GetUser(this IGrainFactory grains, string tenantId, string userName) =>
        grains.GetGrain<IUserGrain>(GrainKeys.Entity(tenantId, userName));

    public static IGroupGrain GetGroup(this IGrainFactory grains, string tenantId, string groupName) =>
        grains.GetGrain<IGroupGrain>(GrainKeys.Entity(tenantId, groupName));

    public static IRoleGrain GetRole(this IGrainFactory grains, string tenantId, string roleName) =>
        grains.GetGrain<IRoleGrain>(GrainKeys.Entity(tenantId, roleName));

    /// <summary>The grain of a managed policy ARN (checked with <see cref="AdminNames.CheckPolicyArn"/>).</summary>
    public static IManagedPolicyGrain GetManagedPolicy(this IGrainFactory grains, string policyArn)
    {
        if (!GrainKeys.TryParsePolicyArn(policyArn, out var tenantId, out _, out var name))
        {
            throw new ArgumentException($"`{policyArn}` is not a managed policy ARN", nameof(policyArn));
        }

        return grains.GetGrain<IManagedPolicyGrain>(GrainKeys.Entity(tenantId, name));
    }

    public static IManagedPolicyGrain GetManagedPolicy(this IGrainFactory grains, string tenantId, string policyName) =>
        grains.GetGrain<IManagedPolicyGrain>(GrainKeys.Entity(tenantId, policyName));

    public static IAccessKeyGrain GetAccessKey(this IGrainFactory grains, string accessKeyId) =>
        grains.GetGrain<IAccessKeyGrain>(GrainKeys.AccessKey(accessKeyId));

    public static IAccessKeyListGrain GetAccessKeyList(this IGrainFactory grains, string tenantId, EntityKind kind, string name) =>
        grains.GetGrain<IAccessKeyListGrain>(GrainKeys.AccessKeyList(tenantId, kind, name));

    public static IResourceGrain GetResource(this IGrainFactory grains, string resourceArn) =>
        grains.GetGrain<IResourceGrain>(GrainKeys.Resource(resourceArn));

    public static IResourceTreeGrain GetResourceTree(this IGrainFactory grains, string resourceArn) =>
        grains.GetGrain<IResourceTreeGrain>(GrainKeys.ResourceTree(resourceArn));

    /// <summary>The principal grain a user, role or role-session ARN evaluates as, or null for other principals.</summary>
    public static IPrincipalGrain? GetPrincipal(this IGrainFactory grains, string principalArn) =>
        !GrainKeys.TryParsePrincipalArn(principalArn, out var kind, out var tenantId, out var name)
            ? null
            : kind == EntityKind.User ? grains.GetUser(tenantId, name) : grains.GetRole(tenantId, name);
}
