using System.Collections.Immutable;

namespace Authz.Grains;

// Wire records: what crosses silos and reaches the gRPC layer. Immutable, versioned by alias; new members get new ids.

/// <summary>The kinds of entity in a tenant's directory.</summary>
public enum EntityKind
{
    User,
    Group,
    Role,
    Policy,
    Resource,
}

/// <summary>How an entity uses a managed policy.</summary>
public enum PolicyUsage
{
    /// <summary>Attached as an identity policy.</summary>
    Attached,

    /// <summary>Set as the user's or role's permissions boundary.</summary>
    PermissionsBoundary,
}

/// <summary>A key/value tag; keys are unique per entity case-insensitively.</summary>
[GenerateSerializer, Immutable, Alias("authz.tag.v1")]
public sealed record TagEntry
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public string Value { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("authz.tenant.v1")]
public sealed record TenantInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public DateTimeOffset CreateDate { get; init; }
    [Id(3)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.user.v1")]
public sealed record UserInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string UserName { get; init; }
    [Id(2)] public required string UserId { get; init; }
    [Id(3)] public required string Arn { get; init; }
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public DateTimeOffset CreateDate { get; init; }
    [Id(6)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    [Id(7)] public string? PermissionsBoundaryArn { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.group.v1")]
public sealed record GroupInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string GroupName { get; init; }
    [Id(2)] public required string GroupId { get; init; }
    [Id(3)] public required string Arn { get; init; }
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public DateTimeOffset CreateDate { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.role.v1")]
public sealed record RoleInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string RoleName { get; init; }
    [Id(2)] public required string RoleId { get; init; }
    [Id(3)] public required string Arn { get; init; }
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public DateTimeOffset CreateDate { get; init; }
    [Id(6)] public required string AssumeRolePolicyDocument { get; init; }
    [Id(7)] public string Description { get; init; } = "";
    [Id(8)] public uint MaxSessionDuration { get; init; }
    [Id(9)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    [Id(10)] public string? PermissionsBoundaryArn { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.policy.v1")]
public sealed record PolicyInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string PolicyName { get; init; }
    [Id(2)] public required string PolicyId { get; init; }
    [Id(3)] public required string Arn { get; init; }
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public required string DefaultVersionId { get; init; }
    [Id(6)] public int AttachmentCount { get; init; }
    [Id(7)] public int PermissionsBoundaryUsageCount { get; init; }
    [Id(8)] public string Description { get; init; } = "";
    [Id(9)] public DateTimeOffset CreateDate { get; init; }
    [Id(10)] public DateTimeOffset UpdateDate { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.policy-version.v1")]
public sealed record PolicyVersionInfo
{
    [Id(0)] public required string VersionId { get; init; }
    [Id(1)] public required string Document { get; init; }
    [Id(2)] public bool IsDefaultVersion { get; init; }
    [Id(3)] public DateTimeOffset CreateDate { get; init; }
}

/// <summary>Where a managed policy is used: by which user, group or role, and how.</summary>
[GenerateSerializer, Immutable, Alias("authz.policy-attachment.v1")]
public sealed record PolicyAttachment
{
    [Id(0)] public required EntityKind Kind { get; init; }
    /// <summary>The entity's name as written.</summary>
    [Id(1)] public required string Name { get; init; }
    /// <summary>The entity's unique id (<c>AIDA...</c>, <c>AGPA...</c>, <c>AROA...</c>).</summary>
    [Id(2)] public required string Id { get; init; }
    [Id(3)] public PolicyUsage Usage { get; init; }

    /// <summary>Whether this and <paramref name="other"/> are the same use by the same entity.</summary>
    public bool SameUse(PolicyAttachment other) =>
        Kind == other.Kind && Usage == other.Usage && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A managed policy as seen from the entity it is attached to.</summary>
[GenerateSerializer, Immutable, Alias("authz.attached-policy.v1")]
public sealed record AttachedPolicyRef
{
    [Id(0)] public required string PolicyName { get; init; }
    [Id(1)] public required string PolicyArn { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.inline-policy.v1")]
public sealed record InlinePolicyInfo
{
    /// <summary>The user, group or role name as written.</summary>
    [Id(0)] public required string EntityName { get; init; }
    [Id(1)] public required string PolicyName { get; init; }
    [Id(2)] public required string Document { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.resource.v1")]
public sealed record ResourceInfo
{
    [Id(0)] public required string ResourceArn { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    [Id(3)] public bool HasResourcePolicy { get; init; }
    [Id(4)] public DateTimeOffset CreateDate { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.guardrail.v1")]
public sealed record GuardrailInfo
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Document { get; init; }
    [Id(2)] public DateTimeOffset UpdateDate { get; init; }
}

/// <summary>One name in a tenant's directory.</summary>
[GenerateSerializer, Immutable, Alias("authz.directory-entry.v1")]
public sealed record DirectoryEntry
{
    [Id(0)] public required EntityKind Kind { get; init; }
    /// <summary>The sort and paging key: the lowercased name, or the resource ARN.</summary>
    [Id(1)] public required string Key { get; init; }
    /// <summary>The name as written, or the resource ARN.</summary>
    [Id(2)] public required string Name { get; init; }
    /// <summary>The entity's path (<c>/</c> for resources).</summary>
    [Id(3)] public string Path { get; init; } = "/";
}

/// <summary>A page of keys in key order; <see cref="HasMore"/> when more follow the last one.</summary>
[GenerateSerializer, Immutable, Alias("authz.directory-page.v1")]
public sealed record DirectoryPage
{
    [Id(0)] public ImmutableArray<DirectoryEntry> Entries { get; init; } = [];
    [Id(1)] public bool HasMore { get; init; }
}

/// <summary>A change to a tenant's directory made together with a revision bump.</summary>
[GenerateSerializer, Immutable, Alias("authz.directory-change.v1")]
public sealed record DirectoryRemoval
{
    [Id(0)] public required EntityKind Kind { get; init; }
    [Id(1)] public required string Key { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.tenant-created.v1")]
public sealed record TenantCreated
{
    [Id(0)] public required TenantInfo Tenant { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.create-user.v1")]
public sealed record CreateUserCommand
{
    [Id(0)] public required string UserName { get; init; }
    [Id(1)] public string Path { get; init; } = "/";
    [Id(2)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    [Id(3)] public string? PermissionsBoundaryArn { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.user-created.v1")]
public sealed record UserCreated
{
    [Id(0)] public required UserInfo User { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.group-created.v1")]
public sealed record GroupCreated
{
    [Id(0)] public required GroupInfo Group { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.create-role.v1")]
public sealed record CreateRoleCommand
{
    [Id(0)] public required string RoleName { get; init; }
    [Id(1)] public string Path { get; init; } = "/";
    [Id(2)] public required string AssumeRolePolicyDocument { get; init; }
    [Id(3)] public string Description { get; init; } = "";
    /// <summary>Seconds, 3600-43200; 0 means 3600.</summary>
    [Id(4)] public uint MaxSessionDuration { get; init; }
    [Id(5)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    [Id(6)] public string? PermissionsBoundaryArn { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.role-created.v1")]
public sealed record RoleCreated
{
    [Id(0)] public required RoleInfo Role { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.create-policy.v1")]
public sealed record CreatePolicyCommand
{
    [Id(0)] public required string PolicyName { get; init; }
    [Id(1)] public string Path { get; init; } = "/";
    [Id(2)] public string Description { get; init; } = "";
    [Id(3)] public required string Document { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.policy-created.v1")]
public sealed record PolicyCreated
{
    [Id(0)] public required PolicyInfo Policy { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.policy-version-created.v1")]
public sealed record PolicyVersionCreated
{
    [Id(0)] public required PolicyVersionInfo Version { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}

[GenerateSerializer, Immutable, Alias("authz.resource-registered.v1")]
public sealed record ResourceRegistered
{
    [Id(0)] public required ResourceInfo Resource { get; init; }
    [Id(1)] public ulong Revision { get; init; }
}
