using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// A resource ARN: source of truth for its owner tenant, tags and resource policy. The resource tree grain indexes it
/// (claimed before the resource commits, released after), and the owner's directory lists it.
/// </summary>
[GrainType("authz.resource")]
public sealed class ResourceGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<ResourceState> state,
    IOptions<AuthzQuotaOptions> quotas,
    IAuditTrail audit) : Grain, IResourceGrain
{
    private string ResourceArn => this.GetPrimaryKeyString();

    private IResourceTreeGrain Tree => GrainFactory.GetResourceTree(ResourceArn);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, ResourceState.CurrentSchema, this);
        return Task.CompletedTask;
    }

    async Task<ResourceRegistered> IResourceGrain.Register(string tenantId, ImmutableArray<TagEntry> tags)
    {
        CheckWritable(tenantId);
        if (tags.Length > quotas.Value.TagsPerEntity)
        {
            throw AdminException.Quota(AdminErrorKinds.TagsPerEntity, ResourceArn,
                $"`{ResourceArn}` would have {tags.Length} tags, more than the quota of {quotas.Value.TagsPerEntity}");
        }

        var tagState = tags.Select(t => new TagState { Key = t.Key, Value = t.Value }).ToImmutableArray();
        var isNew = state.State.OwnerTenantId is null;
        if (isNew)
        {
            await ClaimAsync(tenantId, mayHavePolicy: false);
        }

        var audited = await SaveChangeAsync(tenantId, isNew
            ? new ResourceState { OwnerTenantId = tenantId, Tags = tagState, CreateDate = DateTimeOffset.UtcNow }
            : state.State with { Tags = tagState });
        var revision = await GrainFactory.GetTenant(tenantId).CommitRevision(null, audited);
        return new ResourceRegistered { Resource = Info(), Revision = revision };
    }

    Task<ResourceInfo> IResourceGrain.Get(string tenantId)
    {
        CheckOwned(tenantId);
        return Task.FromResult(Info());
    }

    async Task<ulong> IResourceGrain.Deregister(string tenantId)
    {
        CheckOwned(tenantId);
        var audited = await SaveChangeAsync(tenantId, new ResourceState());
        await Tree.Release(ResourceArn, tenantId);
        return await GrainFactory.GetTenant(tenantId).CommitRevision(new DirectoryRemoval { Kind = EntityKind.Resource, Key = ResourceArn }, audited);
    }

    async Task<ulong> IResourceGrain.PutPolicy(string tenantId, string document)
    {
        CheckWritable(tenantId);
        PolicyDocumentRules.CompileForWrite(document, DocumentKind.Resource, ResourceArn, null, quotas.Value.ResourcePolicyCharacters);

        // The tree learns that the ARN may hold a policy before the policy exists, so a lookup never misses it.
        await ClaimAsync(tenantId, mayHavePolicy: true);
        var next = state.State.OwnerTenantId is null
            ? new ResourceState { OwnerTenantId = tenantId, PolicyDocument = document, CreateDate = DateTimeOffset.UtcNow }
            : state.State with { PolicyDocument = document };
        return await GrainFactory.GetTenant(tenantId).CommitRevision(null, await SaveChangeAsync(tenantId, next));
    }

    Task<string> IResourceGrain.GetPolicy(string tenantId)
    {
        CheckOwned(tenantId);
        return Task.FromResult(state.State.PolicyDocument ?? throw AdminException.NotFound("resource policy", ResourceArn));
    }

    async Task<ulong> IResourceGrain.DeletePolicy(string tenantId)
    {
        CheckOwned(tenantId);
        if (state.State.PolicyDocument is null)
        {
            throw AdminException.NotFound("resource policy", ResourceArn);
        }

        var audited = await SaveChangeAsync(tenantId, state.State with { PolicyDocument = null });
        await Tree.ClearPolicyMark(ResourceArn);
        return await GrainFactory.GetTenant(tenantId).CommitRevision(null, audited);
    }

    async ValueTask<ResourceSnapshot> IResourceGrain.GetSnapshot(ulong minRevision)
    {
        if (state.State.OwnerTenantId is not { } owner)
        {
            return new ResourceSnapshot { ResourceArn = ResourceArn };
        }

        // The revision is read before the state is (the state is this grain's own), so the stamp is never ahead of it.
        var basis = await GrainFactory.GetTenant(owner).GetBasis();
        return new ResourceSnapshot
        {
            ResourceArn = ResourceArn,
            Registered = basis.Exists,
            OwnerTenantId = owner,
            Tags = [.. state.State.Tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })],
            Policy = state.State.PolicyDocument is { } document && basis.Exists
                ? new SnapshotDocument { Id = ResourceArn, Kind = DocumentKind.Resource, Origin = DocumentOrigin.ResourcePolicy, Json = document }
                : null,
            Revision = basis.Revision,
        };
    }

    async Task IPurgeableGrain.Purge(string tenantId)
    {
        if (state.State.OwnerTenantId == tenantId)
        {
            await SaveAsync(new ResourceState());
        }

        if (state.State.OwnerTenantId is null)
        {
            await Tree.Release(ResourceArn, tenantId);
        }
    }

    /// <summary>Reserves the ARN in the tenant's directory (which checks the tenant exists), then claims it in the tree.</summary>
    private async Task ClaimAsync(string tenantId, bool mayHavePolicy)
    {
        if (state.State.OwnerTenantId is null)
        {
            await GrainFactory.GetTenant(tenantId).Reserve(new DirectoryEntry { Kind = EntityKind.Resource, Key = ResourceArn, Name = ResourceArn });
        }

        await Tree.Claim(ResourceArn, tenantId, mayHavePolicy);
    }

    private void CheckWritable(string tenantId)
    {
        if (state.State.OwnerTenantId is { } owner && owner != tenantId)
        {
            throw AdminException.Denied(ResourceArn, $"resource `{ResourceArn}` belongs to another tenant");
        }
    }

    /// <summary>A resource of another tenant is reported as missing: a tenant learns nothing about others' resources.</summary>
    private void CheckOwned(string tenantId)
    {
        if (state.State.OwnerTenantId != tenantId)
        {
            throw AdminException.NotFound("resource", ResourceArn);
        }
    }

    private Task SaveAsync(ResourceState next) => StateWrites.SaveAsync(state, next, this);

    /// <summary>Commits an admin change of the resource with its audit record; returns the record's id for the revision bump.</summary>
    private Task<long> SaveChangeAsync(string tenantId, ResourceState next) => StateWrites.SaveChangeAsync(state, next, this, audit, tenantId);

    private ResourceInfo Info() => new()
    {
        ResourceArn = ResourceArn,
        TenantId = state.State.OwnerTenantId!,
        Tags = [.. state.State.Tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })],
        HasResourcePolicy = state.State.PolicyDocument is not null,
        CreateDate = state.State.CreateDate,
    };
}
