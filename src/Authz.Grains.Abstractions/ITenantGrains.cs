using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>
/// One tenant (account): its existence, its revision counter, its guardrails and its directory of names. Keyed by the
/// 12-digit tenant id (<see cref="GrainKeys.Tenant"/>).
/// </summary>
/// <remarks>
/// The directory is an index for listing and for deleting the tenant; the entity grains are the source of truth for
/// existence. Names are reserved here before an entity is created and released after it is deleted, so the directory is
/// a superset of the entities and deleting the tenant reaches every one of them. The tenant grain never calls entity
/// grains, so entity grains may call it inside their own turns without a risk of deadlock.
/// </remarks>
[Alias("authz.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant. <see cref="AdminErrorCode.AlreadyExists"/> when it exists.</summary>
    [Alias("Create")] Task<TenantCreated> Create(string name);

    /// <summary><see cref="AdminErrorCode.NotFound"/> when the tenant does not exist.</summary>
    [Alias("Get")] Task<TenantInfo> Get();

    /// <summary>Existence, revision and guardrails, for principal snapshots. Never throws for a missing tenant.</summary>
    [Alias("GetBasis")] Task<TenantBasis> GetBasis();

    /// <summary>The current revision; <see cref="AdminErrorCode.NotFound"/> when the tenant does not exist.</summary>
    [Alias("GetRevision")] Task<ulong> GetRevision();

    /// <summary>
    /// Called by an entity grain after it committed a write: bumps and returns the revision, and removes a released
    /// name from the directory. Writes commit before the bump, so a snapshot built after reading revision R sees every
    /// write acknowledged with R or less. <paramref name="auditEventId"/> is the audit record written with the entity's
    /// write (0 for none); the bump fills in its revisions in the same transaction.
    /// </summary>
    [Alias("CommitRevision")] Task<ulong> CommitRevision(DirectoryRemoval? removal, long auditEventId);

    /// <summary>Adds a name to the directory before the entity is created; <see cref="AdminErrorCode.NotFound"/> without the tenant.</summary>
    [Alias("Reserve")] Task Reserve(DirectoryEntry entry);

    /// <summary>
    /// A page of directory entries of one kind, in key order, after <paramref name="afterKey"/>, keeping only entries
    /// whose path (resources: ARN) starts with <paramref name="prefix"/> (empty: all).
    /// </summary>
    [Alias("ListDirectory")] Task<DirectoryPage> ListDirectory(EntityKind kind, string prefix, string? afterKey, int maxItems);

    [Alias("PutGuardrail")] Task<ulong> PutGuardrail(string name, string document);
    [Alias("GetGuardrail")] Task<GuardrailInfo> GetGuardrail(string name);
    [Alias("ListGuardrails")] Task<ImmutableArray<GuardrailInfo>> ListGuardrails();
    [Alias("DeleteGuardrail")] Task<ulong> DeleteGuardrail(string name);

    /// <summary>
    /// Marks the tenant as being deleted (every write and read then sees no tenant) and returns the directory to purge.
    /// Called again after a crash, it returns what is left.
    /// </summary>
    [Alias("BeginDelete")] Task<ImmutableArray<DirectoryEntry>> BeginDelete();

    /// <summary>Finishes a deletion: clears directory and guardrails, keeps the revision, returns the final revision.</summary>
    [Alias("CompleteDelete")] Task<ulong> CompleteDelete();
}

/// <summary>The list of all tenant ids, for ListTenants. Keyed by <see cref="GrainKeys.TenantCatalog"/>.</summary>
[Alias("authz.ITenantCatalogGrain")]
public interface ITenantCatalogGrain : IGrainWithStringKey
{
    [Alias("Add")] Task Add(string tenantId);
    [Alias("Remove")] Task Remove(string tenantId);
    [Alias("List")] Task<DirectoryPage> List(string? afterTenantId, int maxItems);
}

/// <summary>
/// Creates and deletes tenants. Deleting purges every entity of the tenant, which the tenant grain cannot do itself
/// without waiting on grains that may be waiting on it; this stateless grain orchestrates from outside.
/// </summary>
[Alias("authz.ITenantLifecycleGrain")]
public interface ITenantLifecycleGrain : IGrainWithStringKey
{
    [Alias("Create")] Task<TenantCreated> Create(string name);
    [Alias("Delete")] Task<ulong> Delete();
}

/// <summary>
/// Grains that hold entities a tenant deletion must remove without the usual preconditions.
/// </summary>
[Alias("authz.IPurgeableGrain")]
public interface IPurgeableGrain : IAddressable
{
    /// <summary>
    /// Removes the entity of tenant <paramref name="tenantId"/> whatever it holds (a resource owned by another tenant is
    /// left alone).
    /// </summary>
    [Alias("Purge")] Task Purge(string tenantId);
}
