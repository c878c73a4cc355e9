using Authz.Grains.State;

namespace Authz.Grains;

/// <summary>
/// The registered ARNs under one tree key. It is the arbiter of ownership across tenants: an ARN cannot be registered
/// to a tenant when another tenant owns it, one of its ancestors or one of its descendants, so a policy on <c>X</c>
/// (which governs <c>X/...</c>) never reaches another tenant's resources. It never calls other grains.
/// </summary>
[GrainType("authz.resource-tree")]
public sealed class ResourceTreeGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<ResourceTreeState> state) : Grain, IResourceTreeGrain
{
    private readonly SortedDictionary<string, ResourceTreeEntryState> _entries = new(StringComparer.Ordinal);
    private ResourceTreeView? _view;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, ResourceTreeState.CurrentSchema, this);
        foreach (var entry in state.State.Entries)
        {
            _entries[entry.ResourceArn] = entry;
        }

        return Task.CompletedTask;
    }

    async Task IResourceTreeGrain.Claim(string resourceArn, string tenantId, bool mayHavePolicy)
    {
        foreach (var ancestor in GrainKeys.SelfAndAncestors(resourceArn))
        {
            if (_entries.TryGetValue(ancestor, out var owned) && owned.OwnerTenantId != tenantId)
            {
                throw Denied(resourceArn);
            }
        }

        var prefix = resourceArn + "/";
        if (_entries.Values.Any(e => e.ResourceArn.StartsWith(prefix, StringComparison.Ordinal) && e.OwnerTenantId != tenantId))
        {
            throw Denied(resourceArn);
        }

        var existing = _entries.GetValueOrDefault(resourceArn);
        var next = new ResourceTreeEntryState { ResourceArn = resourceArn, OwnerTenantId = tenantId, MayHavePolicy = mayHavePolicy || existing?.MayHavePolicy == true };
        if (existing != next)
        {
            _entries[resourceArn] = next;
            await SaveAsync();
        }
    }

    async Task IResourceTreeGrain.ClearPolicyMark(string resourceArn)
    {
        if (_entries.TryGetValue(resourceArn, out var entry) && entry.MayHavePolicy)
        {
            _entries[resourceArn] = entry with { MayHavePolicy = false };
            await SaveAsync();
        }
    }

    async Task IResourceTreeGrain.Release(string resourceArn, string tenantId)
    {
        if (_entries.TryGetValue(resourceArn, out var entry) && entry.OwnerTenantId == tenantId)
        {
            _entries.Remove(resourceArn);
            await SaveAsync();
        }
    }

    Task<ResourceTreeView> IResourceTreeGrain.GetView() => Task.FromResult(_view ??= new ResourceTreeView
    {
        Root = this.GetPrimaryKeyString(),
        Entries = [.. _entries.Values.Select(e => new ResourceTreeEntry { ResourceArn = e.ResourceArn, OwnerTenantId = e.OwnerTenantId, MayHavePolicy = e.MayHavePolicy })],
        Version = state.State.Version,
    });

    Task<long> IResourceTreeGrain.GetVersion() => Task.FromResult(state.State.Version);

    private static AdminException Denied(string resourceArn) =>
        AdminException.Denied(resourceArn, $"resource `{resourceArn}`, an ARN above it or an ARN under it belongs to another tenant");

    private async Task SaveAsync()
    {
        try
        {
            await StateWrites.SaveAsync(state, new ResourceTreeState { Entries = [.. _entries.Values], Version = state.State.Version + 1 }, this);
        }
        catch
        {
            // Restore the index from the committed state so a failed write changes nothing.
            _entries.Clear();
            foreach (var entry in state.State.Entries)
            {
                _entries[entry.ResourceArn] = entry;
            }

            throw;
        }
        finally
        {
            _view = null;
        }
    }
}
