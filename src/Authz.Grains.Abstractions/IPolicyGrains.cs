using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>
/// A managed policy, keyed by tenant and name (<see cref="GrainKeys.Entity"/>); every call names the ARN it was
/// addressed by, and an ARN with another path is <see cref="AdminErrorCode.NotFound"/>. Source of truth for its versions
/// and default version; keeps the reverse list of its users (a superset of the entities' own lists).
/// </summary>
[Alias("authz.IManagedPolicyGrain")]
public interface IManagedPolicyGrain : IPurgeableGrain, IGrainWithStringKey
{
    [Alias("Create")] Task<PolicyCreated> Create(CreatePolicyCommand command);
    [Alias("Get")] Task<PolicyInfo> Get(string policyArn);
    /// <summary>Refused while attached or used as a boundary (stale reverse entries are checked and dropped first).</summary>
    [Alias("Delete")] Task<ulong> Delete(string policyArn);

    [Alias("CreateVersion")] Task<PolicyVersionCreated> CreateVersion(string policyArn, string document, bool setAsDefault);
    [Alias("GetVersion")] Task<PolicyVersionInfo> GetVersion(string policyArn, string versionId);
    /// <summary>Newest first.</summary>
    [Alias("ListVersions")] Task<ImmutableArray<PolicyVersionInfo>> ListVersions(string policyArn);
    [Alias("SetDefaultVersion")] Task<ulong> SetDefaultVersion(string policyArn, string versionId);
    /// <summary>Refused for the default version.</summary>
    [Alias("DeleteVersion")] Task<ulong> DeleteVersion(string policyArn, string versionId);

    /// <summary>The users, groups and roles using the policy, in kind then name order.</summary>
    [Alias("ListEntities")] Task<ImmutableArray<PolicyAttachment>> ListEntities(string policyArn);

    /// <summary>Records a use before the entity commits it; returns the policy's name and ARN. NotFound when missing.</summary>
    [Alias("AddAttachment")] Task<AttachedPolicyRef> AddAttachment(string policyArn, PolicyAttachment attachment);
    /// <summary>Forgets a use after the entity committed its removal.</summary>
    [Alias("RemoveAttachment")] Task RemoveAttachment(string policyArn, PolicyAttachment attachment);

    /// <summary>The default version's document, for snapshots; NotFound when the policy does not exist.</summary>
    [Alias("GetDefaultDocument")] Task<SnapshotDocument> GetDefaultDocument(DocumentKind kind);
}

/// <summary>
/// A resource, keyed by its ARN (<see cref="GrainKeys.Resource"/>): owner tenant, tags and its own resource policy.
/// Source of truth for all three; the resource tree grain indexes it for ancestor lookups.
/// </summary>
[Alias("authz.IResourceGrain")]
public interface IResourceGrain : IPurgeableGrain, IGrainWithStringKey
{
    /// <summary>Registers or re-tags the ARN for <paramref name="tenantId"/>; PermissionDenied when another tenant owns it.</summary>
    [Alias("Register")] Task<ResourceRegistered> Register(string tenantId, ImmutableArray<TagEntry> tags);
    /// <summary>NotFound when not registered to <paramref name="tenantId"/>.</summary>
    [Alias("Get")] Task<ResourceInfo> Get(string tenantId);
    [Alias("Deregister")] Task<ulong> Deregister(string tenantId);
    /// <summary>Creates or replaces the policy, registering the ARN to the tenant when it is not registered.</summary>
    [Alias("PutPolicy")] Task<ulong> PutPolicy(string tenantId, string document);
    [Alias("GetPolicy")] Task<string> GetPolicy(string tenantId);
    [Alias("DeletePolicy")] Task<ulong> DeletePolicy(string tenantId);

    /// <summary>The resource as the decision path sees it, valid at the owner's revision (≥ <paramref name="minRevision"/> when reached).</summary>
    [Alias("GetSnapshot")] ValueTask<ResourceSnapshot> GetSnapshot(ulong minRevision);
}

/// <summary>
/// The registered ARNs under one tree key (<see cref="GrainKeys.ResourceTree"/>): enforces that no tenant registers an
/// ARN under or above another tenant's, and lets the decision path find the nearest policy holder in one call.
/// </summary>
[Alias("authz.IResourceTreeGrain")]
public interface IResourceTreeGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers <paramref name="resourceArn"/> to <paramref name="tenantId"/> (idempotent), optionally marking that it
    /// may hold a policy. PermissionDenied when another tenant owns it, an ancestor or a descendant.
    /// </summary>
    [Alias("Claim")] Task Claim(string resourceArn, string tenantId, bool mayHavePolicy);
    /// <summary>Clears the policy mark after the resource committed the policy's removal.</summary>
    [Alias("ClearPolicyMark")] Task ClearPolicyMark(string resourceArn);
    /// <summary>Forgets the ARN, when <paramref name="tenantId"/> owns it, after the resource committed its deregistration.</summary>
    [Alias("Release")] Task Release(string resourceArn, string tenantId);
    [Alias("GetView")] Task<ResourceTreeView> GetView();
    /// <summary>The <see cref="ResourceTreeView.Version"/> a view would carry now, without the entries.</summary>
    [Alias("GetVersion")] Task<long> GetVersion();
}
