using System.Collections.Immutable;
using Authz.Grains.State;
using Orleans.Runtime;

namespace Authz.Grains;

/// <summary>
/// The list of tenant ids, for ListTenants: an index written before a tenant is created and after it is deleted, so it
/// may list a tenant that no longer exists (the lister skips it) but never misses one.
/// </summary>
[GrainType("authz.tenant-catalog")]
public sealed class TenantCatalogGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<TenantCatalogState> state) : Grain, ITenantCatalogGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, TenantCatalogState.CurrentSchema, this);
        return Task.CompletedTask;
    }

    Task ITenantCatalogGrain.Add(string tenantId)
    {
        var ids = state.State.TenantIds;
        var i = ids.BinarySearch(tenantId, StringComparer.Ordinal);
        return i >= 0 ? Task.CompletedTask : StateWrites.SaveAsync(state, state.State with { TenantIds = ids.Insert(~i, tenantId) }, this);
    }

    Task ITenantCatalogGrain.Remove(string tenantId)
    {
        var ids = state.State.TenantIds;
        var i = ids.BinarySearch(tenantId, StringComparer.Ordinal);
        return i < 0 ? Task.CompletedTask : StateWrites.SaveAsync(state, state.State with { TenantIds = ids.RemoveAt(i) }, this);
    }

    Task<DirectoryPage> ITenantCatalogGrain.List(string? afterTenantId, int maxItems)
    {
        var ids = state.State.TenantIds;
        var start = 0;
        if (afterTenantId is not null)
        {
            var i = ids.BinarySearch(afterTenantId, StringComparer.Ordinal);
            start = i >= 0 ? i + 1 : ~i;
        }

        var page = ids.Skip(start).Take(maxItems).Select(id => new DirectoryEntry { Kind = EntityKind.User, Key = id, Name = id });
        return Task.FromResult(new DirectoryPage { Entries = [.. page], HasMore = ids.Length - start > maxItems });
    }
}
