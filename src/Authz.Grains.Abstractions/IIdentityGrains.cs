using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>
/// What users, groups and roles share: inline policies and attached managed policies.
/// </summary>
/// <remarks>
/// Source of truth: the entity holds its own attachment list; the managed policy keeps the reverse list
/// (<see cref="IManagedPolicyGrain.AddAttachment"/>), written before the entity on attach and after it on detach. A
/// crash between the two leaves the policy believing in an attachment the entity does not have, never the other way
/// round, so an entity never refers to a missing policy (which could drop its denies and fail open).
/// </remarks>
[Alias("authz.IPolicyHolderGrain")]
public interface IPolicyHolderGrain : IPurgeableGrain
{
    [Alias("AttachPolicy")] Task<ulong> AttachPolicy(string policyArn);
    [Alias("DetachPolicy")] Task<ulong> DetachPolicy(string policyArn);
    [Alias("ListAttachedPolicies")] Task<ImmutableArray<AttachedPolicyRef>> ListAttachedPolicies();

    [Alias("PutInlinePolicy")] Task<ulong> PutInlinePolicy(string policyName, string document);
    [Alias("GetInlinePolicy")] Task<InlinePolicyInfo> GetInlinePolicy(string policyName);
    [Alias("DeleteInlinePolicy")] Task<ulong> DeleteInlinePolicy(string policyName);
    [Alias("ListInlinePolicies")] Task<ImmutableArray<string>> ListInlinePolicies();

    /// <summary>
    /// Whether the entity (committed or mid-write) uses the policy. Interleaves, so that a managed policy checking its
    /// reverse list never waits on an entity that is waiting on it.
    /// </summary>
    [AlwaysInterleave, Alias("UsesPolicy")] Task<bool> UsesPolicy(string policyArn, PolicyUsage usage);
}

/// <summary>What users and roles share: tags, a permissions boundary, and the snapshot the decision path reads.</summary>
[Alias("authz.IPrincipalGrain")]
public interface IPrincipalGrain : IPolicyHolderGrain
{
    [Alias("Tag")] Task<ulong> Tag(ImmutableArray<TagEntry> tags);
    [Alias("Untag")] Task<ulong> Untag(ImmutableArray<string> tagKeys);

    [Alias("PutPermissionsBoundary")] Task<ulong> PutPermissionsBoundary(string policyArn);
    [Alias("DeletePermissionsBoundary")] Task<ulong> DeletePermissionsBoundary();

    /// <summary>
    /// The principal's documents, valid at a tenant revision of at least <paramref name="minRevision"/> when the tenant
    /// has reached it (otherwise at its current revision). Built lazily: a cached snapshot is reused until an
    /// invalidation or a guardrail change, and re-stamped with the current revision. Throws when a document the
    /// principal refers to cannot be read, so a caller can only fail closed.
    /// </summary>
    [Alias("GetSnapshot")] ValueTask<PrincipalSnapshot> GetSnapshot(ulong minRevision);

    /// <summary>Describes the compiled policy set the grain holds, rebuilding it as <see cref="GetSnapshot"/> does.</summary>
    [Alias("DescribeCompiledSet")] ValueTask<CompiledSetSummary> DescribeCompiledSet(ulong minRevision);

    /// <summary>
    /// Marks the cached snapshot stale: something it was built from changed. Writers await it before bumping the
    /// revision, so a snapshot stamped with revision R never misses a write acknowledged with R.
    /// </summary>
    [AlwaysInterleave, Alias("Invalidate")] Task Invalidate();
}

/// <summary>A user, keyed by <see cref="GrainKeys.Entity"/>. Source of truth for its group memberships.</summary>
[Alias("authz.IUserGrain")]
public interface IUserGrain : IPrincipalGrain, IGrainWithStringKey
{
    [Alias("Create")] Task<UserCreated> Create(CreateUserCommand command);
    [Alias("Get")] Task<UserInfo> Get();
    /// <summary>Refused while the user has policies, a boundary or groups.</summary>
    [Alias("Delete")] Task<ulong> Delete();

    [Alias("AddToGroup")] Task<ulong> AddToGroup(string groupName);
    [Alias("RemoveFromGroup")] Task<ulong> RemoveFromGroup(string groupName);
    /// <summary>The names of the user's groups as written, in order.</summary>
    [Alias("ListGroups")] Task<ImmutableArray<string>> ListGroups();

    /// <summary>Whether the user (committed or mid-write) is a member of the group; interleaves.</summary>
    [AlwaysInterleave, Alias("IsMemberOf")] Task<bool> IsMemberOf(string groupName);
}

/// <summary>
/// A group, keyed by <see cref="GrainKeys.Entity"/>. Its member list is a reverse index of the users' group lists,
/// written before the user on add and after it on remove.
/// </summary>
[Alias("authz.IGroupGrain")]
public interface IGroupGrain : IPolicyHolderGrain, IGrainWithStringKey
{
    [Alias("Create")] Task<GroupCreated> Create(string groupName, string path);
    [Alias("Get")] Task<GroupInfo> Get();
    /// <summary>Refused while the group has members or policies.</summary>
    [Alias("Delete")] Task<ulong> Delete();

    /// <summary>Records a member (called by the user grain before it commits); returns the group's info.</summary>
    [Alias("AddMember")] Task<GroupInfo> AddMember(string userName);
    /// <summary>Forgets a member (called by the user grain after it committed).</summary>
    [Alias("RemoveMember")] Task RemoveMember(string userName);
    /// <summary>The members' user names as written, in key order.</summary>
    [Alias("ListMembers")] Task<ImmutableArray<string>> ListMembers();

    /// <summary>The group's inline documents and managed policy ARNs, for its members' snapshots.</summary>
    [Alias("GetPolicies")] Task<GroupPolicies> GetPolicies();

    /// <summary>Invalidates every member's snapshot; interleaves.</summary>
    [AlwaysInterleave, Alias("InvalidateMembers")] Task InvalidateMembers();
}

/// <summary>A role, keyed by <see cref="GrainKeys.Entity"/>. Role sessions evaluate as their role.</summary>
[Alias("authz.IRoleGrain")]
public interface IRoleGrain : IPrincipalGrain, IGrainWithStringKey
{
    [Alias("Create")] Task<RoleCreated> Create(CreateRoleCommand command);
    [Alias("Get")] Task<RoleInfo> Get();
    [Alias("UpdateAssumeRolePolicy")] Task<ulong> UpdateAssumeRolePolicy(string document);
    /// <summary>Refused while the role has policies or a boundary.</summary>
    [Alias("Delete")] Task<ulong> Delete();
}
