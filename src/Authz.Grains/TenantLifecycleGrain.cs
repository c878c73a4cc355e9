using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>
/// Creates and deletes tenants from outside the tenant grain. Deleting marks the tenant as being deleted (so it stops
/// existing for every read, write and check at once), purges every entity in its directory, then completes. A crash
/// in between leaves the tenant marked; deleting again, or creating it again, finishes the purge first, so nothing of
/// the old tenant survives into a new one with the same id.
/// </summary>
[StatelessWorker]
[GrainType("authz.tenant-lifecycle")]
public sealed class TenantLifecycleGrain : Grain, ITenantLifecycleGrain
{
    private const int PurgeBatch = 32;

    private string TenantId => this.GetPrimaryKeyString();

    async Task<TenantCreated> ITenantLifecycleGrain.Create(string name)
    {
        await GrainFactory.GetTenantCatalog().Add(TenantId);
        var tenant = GrainFactory.GetTenant(TenantId);
        try
        {
            return await tenant.Create(name);
        }
        catch (AdminException ex) when (ex.Error.Kind == AdminErrorKinds.TenantDeleting)
        {
            await PurgeAsync();
            return await tenant.Create(name);
        }
    }

    async Task<ulong> ITenantLifecycleGrain.Delete()
    {
        var revision = await PurgeAsync();
        await GrainFactory.GetTenantCatalog().Remove(TenantId);
        return revision;
    }

    private async Task<ulong> PurgeAsync()
    {
        var tenant = GrainFactory.GetTenant(TenantId);
        var entries = await tenant.BeginDelete();
        foreach (var batch in entries.Chunk(PurgeBatch))
        {
            await Task.WhenAll(batch.Select(e => Purgeable(e).Purge(TenantId)));
        }

        return await tenant.CompleteDelete();
    }

    private IPurgeableGrain Purgeable(DirectoryEntry entry) => entry.Kind switch
    {
        EntityKind.User => GrainFactory.GetGrain<IUserGrain>(GrainKeys.Entity(TenantId, entry.Key)),
        EntityKind.Group => GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Entity(TenantId, entry.Key)),
        EntityKind.Role => GrainFactory.GetGrain<IRoleGrain>(GrainKeys.Entity(TenantId, entry.Key)),
        EntityKind.Policy => GrainFactory.GetGrain<IManagedPolicyGrain>(GrainKeys.Entity(TenantId, entry.Key)),
        EntityKind.Resource => GrainFactory.GetResource(entry.Key),
        _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Kind, "unknown directory kind"),
    };
}
