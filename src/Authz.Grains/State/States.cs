using System.Collections.Immutable;
using Orleans.Providers;

namespace Authz.Grains.State;

// Stored grain state. The storage keeps JSON (camelCase, string enums) under the grain type alias and a payload format
// version, never a CLR type name; the property names below are therefore the stored contract. Each record carries its
// own SchemaVersion: a reader refuses a newer schema instead of misreading it, and additions get defaults so older rows
// keep loading. ImmutableArray members start empty so a row without them reads as empty, not as a default array.

/// <summary>The storage provider the grains persist through: the Authz ADO.NET storage, registered as the default.</summary>
public static class AuthzGrainStorage
{
    /// <summary>The provider name (the host registers the Authz storage with <c>AddAuthzGrainStorageAsDefault</c>).</summary>
    public const string ProviderName = ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME;

    /// <summary>The state name of every grain's main state.</summary>
    public const string StateName = "state";
}

/// <summary>Implemented by every stored record, so a row written by a newer build is refused, not misread.</summary>
public interface IVersionedState
{
    int SchemaVersion { get; }
}

public enum TenantStatus
{
    Absent,
    Active,
    Deleting,
}

public sealed record GuardrailState
{
    public required string Name { get; init; }
    public required string Document { get; init; }
    public DateTimeOffset UpdateDate { get; init; }
}

public sealed record TenantState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public TenantStatus Status { get; init; }
    public string Name { get; init; } = "";
    public DateTimeOffset CreateDate { get; init; }
    /// <summary>Kept when the tenant is deleted, so a tenant created again continues from a higher revision.</summary>
    public ulong Revision { get; init; }
    public ulong GuardrailsRevision { get; init; }
    public ImmutableArray<GuardrailState> Guardrails { get; init; } = [];
}

public sealed record DirectoryEntryState
{
    public required EntityKind Kind { get; init; }
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string Path { get; init; } = "/";
}

public sealed record TenantDirectoryState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public ImmutableArray<DirectoryEntryState> Entries { get; init; } = [];
}

public sealed record TenantCatalogState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    /// <summary>Tenant ids in ordinal order.</summary>
    public ImmutableArray<string> TenantIds { get; init; } = [];
}

/// <summary>An access key: the binding and the salted PBKDF2 hash of the secret (base64), never the secret.</summary>
public sealed record AccessKeyState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public bool Exists { get; init; }
    public string TenantId { get; init; } = "";
    public EntityKind PrincipalKind { get; init; }
    public string PrincipalName { get; init; } = "";
    public string PrincipalArn { get; init; } = "";
    public string PrincipalId { get; init; } = "";
    public string Salt { get; init; } = "";
    public string Hash { get; init; } = "";
    public int Iterations { get; init; }
    public AccessKeyStatus Status { get; init; }
    public DateTimeOffset CreateDate { get; init; }
}

/// <summary>The access key ids of one user or role, in ordinal order.</summary>
public sealed record AccessKeyListState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public ImmutableArray<string> AccessKeyIds { get; init; } = [];
}

public sealed record TagState
{
    public required string Key { get; init; }
    public string Value { get; init; } = "";
}

public sealed record InlinePolicyState
{
    public required string Name { get; init; }
    public required string Document { get; init; }
    public DateTimeOffset UpdateDate { get; init; }
}

public sealed record AttachedPolicyState
{
    public required string PolicyArn { get; init; }
    public required string PolicyName { get; init; }
}

/// <summary>What users, groups and roles share.</summary>
public sealed record IdentityState
{
    public required string Name { get; init; }
    public required string Id { get; init; }
    public string Path { get; init; } = "/";
    public DateTimeOffset CreateDate { get; init; }
    public ImmutableArray<TagState> Tags { get; init; } = [];
    public ImmutableArray<InlinePolicyState> InlinePolicies { get; init; } = [];
    public ImmutableArray<AttachedPolicyState> AttachedPolicies { get; init; } = [];
    public string? PermissionsBoundaryArn { get; init; }
}

/// <summary>A stored user, group or role: <see cref="Identity"/> is null when the entity does not exist.</summary>
public interface IIdentityHolderState<TSelf> : IVersionedState
    where TSelf : IIdentityHolderState<TSelf>
{
    IdentityState? Identity { get; }

    TSelf WithIdentity(IdentityState? identity);
}

public sealed record UserState : IIdentityHolderState<UserState>
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public IdentityState? Identity { get; init; }
    /// <summary>The user's groups, names as written. The source of truth for membership.</summary>
    public ImmutableArray<string> Groups { get; init; } = [];

    public UserState WithIdentity(IdentityState? identity) => this with { Identity = identity };
}

public sealed record GroupState : IIdentityHolderState<GroupState>
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public IdentityState? Identity { get; init; }
    /// <summary>Member user names as written: a reverse index (superset) of the users' group lists.</summary>
    public ImmutableArray<string> Members { get; init; } = [];

    public GroupState WithIdentity(IdentityState? identity) => this with { Identity = identity };
}

public sealed record RoleState : IIdentityHolderState<RoleState>
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    public IdentityState? Identity { get; init; }
    public string TrustPolicy { get; init; } = "";
    public string Description { get; init; } = "";
    public uint MaxSessionDuration { get; init; }

    public RoleState WithIdentity(IdentityState? identity) => this with { Identity = identity };
}

public sealed record PolicyVersionState
{
    public required int Number { get; init; }
    public required string Document { get; init; }
    public DateTimeOffset CreateDate { get; init; }
}

public sealed record PolicyAttachmentState
{
    public required EntityKind Kind { get; init; }
    public required string Name { get; init; }
    public required string Id { get; init; }
    public PolicyUsage Usage { get; init; }
}

public sealed record ManagedPolicyState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    /// <summary>Null when the policy does not exist.</summary>
    public string? Name { get; init; }
    public string TenantId { get; init; } = "";
    public string Id { get; init; } = "";
    public string Path { get; init; } = "/";
    public string Description { get; init; } = "";
    public DateTimeOffset CreateDate { get; init; }
    public DateTimeOffset UpdateDate { get; init; }
    public int DefaultVersion { get; init; }
    /// <summary>The number the next version gets; version numbers are never reused within one policy.</summary>
    public int NextVersion { get; init; } = 1;
    public ImmutableArray<PolicyVersionState> Versions { get; init; } = [];
    /// <summary>Where the policy is used: a reverse index (superset) of the entities' own lists.</summary>
    public ImmutableArray<PolicyAttachmentState> Attachments { get; init; } = [];
}

public sealed record ResourceState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    /// <summary>Null when the ARN is not registered.</summary>
    public string? OwnerTenantId { get; init; }
    public ImmutableArray<TagState> Tags { get; init; } = [];
    public string? PolicyDocument { get; init; }
    public DateTimeOffset CreateDate { get; init; }
}

public sealed record ResourceTreeEntryState
{
    public required string ResourceArn { get; init; }
    public required string OwnerTenantId { get; init; }
    public bool MayHavePolicy { get; init; }
}

public sealed record ResourceTreeState : IVersionedState
{
    public const int CurrentSchema = 1;
    public int SchemaVersion { get; init; } = CurrentSchema;
    /// <summary>In ordinal ARN order.</summary>
    public ImmutableArray<ResourceTreeEntryState> Entries { get; init; } = [];
    public long Version { get; init; }
}
