using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// What user, group and role grains share: existence, inline policies and attached managed policies.
/// </summary>
/// <remarks>
/// Every write follows one protocol: check everything that can be checked locally (documents are parsed, validated and
/// compiled; quotas counted), then record reverse references in other grains (a managed policy's use, a group's
/// member) before committing, commit the entity, drop reverse references after committing, invalidate whatever
/// depends on the entity, and only then bump the tenant revision. So a refused write changes nothing, a reverse index
/// is always a superset of the truth, and a snapshot stamped with revision R reflects every write acknowledged with R.
/// </remarks>
public abstract class IdentityGrain<TState>(IPersistentState<TState> state, IOptions<AuthzQuotaOptions> quotas, IAuditTrail audit, ILogger logger)
    : Grain, IPolicyHolderGrain
    where TState : class, IIdentityHolderState<TState>, new()
{
    protected IPersistentState<TState> Store => state;

    protected AuthzQuotaOptions Quotas => quotas.Value;

    protected ILogger Logger => logger;

    /// <summary>While a write is in flight, the state before it: interleaving readers answer for both.</summary>
    protected TState? Committing { get; private set; }

    protected abstract EntityKind Kind { get; }

    protected abstract int CurrentSchema { get; }

    protected abstract int InlinePolicyCharacters { get; }

    protected string TenantId => GrainKeys.TenantOf(this.GetPrimaryKeyString());

    protected ITenantGrain Tenant => GrainFactory.GetTenant(TenantId);

    protected string Noun => Kind.ToString().ToLowerInvariant();

    /// <summary>The name from the key (lowercased), for messages about an entity that does not exist.</summary>
    protected string KeyName => this.GetPrimaryKeyString()[(TenantId.Length + 1)..];

    /// <summary>The entity, or NotFound.</summary>
    protected IdentityState Identity => state.State.Identity ?? throw AdminException.NotFound(Noun, KeyName);

    protected abstract string ArnOf(IdentityState identity);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, CurrentSchema, this);
        return Task.CompletedTask;
    }

    /// <summary>Commits <paramref name="next"/> (internal work, not an admin change), then runs <see cref="OnChangedAsync"/>.</summary>
    protected Task SaveAsync(TState next) => WriteAsync(next, change: false);

    /// <summary>
    /// Commits an admin change with its audit record, then runs <see cref="OnChangedAsync"/>. Returns the record's id,
    /// to pass to <see cref="ITenantGrain.CommitRevision"/>.
    /// </summary>
    protected Task<long> SaveChangeAsync(TState next) => WriteAsync(next, change: true);

    /// <summary>Commits a change, invalidates, bumps the revision.</summary>
    protected async Task<ulong> CommitAsync(TState next, DirectoryRemoval? removal = null)
    {
        var audited = await SaveChangeAsync(next);
        return await Tenant.CommitRevision(removal, audited);
    }

    private async Task<long> WriteAsync(TState next, bool change)
    {
        Committing = state.State;
        long audited = 0;
        try
        {
            if (change)
            {
                audited = await StateWrites.SaveChangeAsync(state, next, this, audit, TenantId);
            }
            else
            {
                await StateWrites.SaveAsync(state, next, this);
            }
        }
        finally
        {
            Committing = null;
        }

        await OnChangedAsync();
        return audited;
    }

    /// <summary>Invalidates what depends on this entity; awaited before the revision is bumped.</summary>
    protected abstract Task OnChangedAsync();

    protected Task<ulong> CurrentRevisionAsync() => Tenant.GetRevision();

    protected TState With(IdentityState identity) => state.State.WithIdentity(identity);

    protected PolicyAttachment AttachmentOf(IdentityState identity, PolicyUsage usage) =>
        new() { Kind = Kind, Name = identity.Name, Id = identity.Id, Usage = usage };

    /// <summary>Registers a new entity's name with the tenant, which also checks the tenant exists.</summary>
    protected Task ReserveAsync(string name, string path) =>
        Tenant.Reserve(new DirectoryEntry { Kind = Kind, Key = name.ToLowerInvariant(), Name = name, Path = path });

    protected DirectoryRemoval Removal => new() { Kind = Kind, Key = KeyName };

    /// <summary>Drops a reverse reference after the entity committed; a failure only leaves a superset entry.</summary>
    protected async Task DropReverseReferenceAsync(Func<Task> drop, string target)
    {
        try
        {
            await drop();
        }
        catch (Exception ex)
        {
            Log.ReverseReferenceKept(logger, ex, this.GetPrimaryKeyString(), target);
        }
    }

    protected static bool SamePolicy(string arnA, string arnB) =>
        GrainKeys.TryParsePolicyArn(arnA, out var tenantA, out _, out var nameA)
        && GrainKeys.TryParsePolicyArn(arnB, out var tenantB, out _, out var nameB)
        && tenantA == tenantB
        && string.Equals(nameA, nameB, StringComparison.OrdinalIgnoreCase);

    protected static void CheckTagQuota(int count, int quota, string subject)
    {
        if (count > quota)
        {
            throw AdminException.Quota(AdminErrorKinds.TagsPerEntity, subject, $"`{subject}` would have {count} tags, more than the quota of {quota}");
        }
    }

    protected static ImmutableArray<TagState> ToState(ImmutableArray<TagEntry> tags) =>
        [.. tags.Select(t => new TagState { Key = t.Key, Value = t.Value })];

    protected static ImmutableArray<TagEntry> ToEntries(ImmutableArray<TagState> tags) =>
        [.. tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })];

    async Task<ulong> IPolicyHolderGrain.AttachPolicy(string policyArn)
    {
        var identity = Identity;
        if (identity.AttachedPolicies.Any(p => SamePolicy(p.PolicyArn, policyArn)))
        {
            return await CurrentRevisionAsync();
        }

        if (identity.AttachedPolicies.Length >= Quotas.ManagedPoliciesPerPrincipal)
        {
            var arn = ArnOf(identity);
            throw AdminException.Quota(AdminErrorKinds.ManagedPoliciesPerPrincipal, arn,
                $"{Noun} `{identity.Name}` already has {identity.AttachedPolicies.Length} managed policies, the quota");
        }

        var policy = await GrainFactory.GetManagedPolicy(policyArn).AddAttachment(policyArn, AttachmentOf(identity, PolicyUsage.Attached));
        var attached = new AttachedPolicyState { PolicyArn = policy.PolicyArn, PolicyName = policy.PolicyName };
        return await CommitAsync(With(identity with { AttachedPolicies = identity.AttachedPolicies.Add(attached) }));
    }

    async Task<ulong> IPolicyHolderGrain.DetachPolicy(string policyArn)
    {
        var identity = Identity;
        var attached = identity.AttachedPolicies.FirstOrDefault(p => SamePolicy(p.PolicyArn, policyArn))
            ?? throw AdminException.NotFound($"policy attached to {Noun} `{identity.Name}`", policyArn);
        var audited = await SaveChangeAsync(With(identity with { AttachedPolicies = identity.AttachedPolicies.Remove(attached) }));
        await DropReverseReferenceAsync(
            () => GrainFactory.GetManagedPolicy(attached.PolicyArn).RemoveAttachment(attached.PolicyArn, AttachmentOf(identity, PolicyUsage.Attached)),
            attached.PolicyArn);
        return await Tenant.CommitRevision(null, audited);
    }

    Task<ImmutableArray<AttachedPolicyRef>> IPolicyHolderGrain.ListAttachedPolicies() =>
        Task.FromResult(Identity.AttachedPolicies
            .Select(p => new AttachedPolicyRef { PolicyName = p.PolicyName, PolicyArn = p.PolicyArn })
            .OrderBy(p => p.PolicyName.ToLowerInvariant(), StringComparer.Ordinal)
            .ToImmutableArray());

    async Task<ulong> IPolicyHolderGrain.PutInlinePolicy(string policyName, string document)
    {
        var identity = Identity;
        PolicyDocumentRules.CompileForWrite(document, DocumentKind.Identity, policyName, null, InlinePolicyCharacters);
        var policy = new InlinePolicyState { Name = policyName, Document = document, UpdateDate = DateTimeOffset.UtcNow };
        var i = IndexOfInline(identity, policyName);
        var inline = i >= 0
            ? identity.InlinePolicies.SetItem(i, policy with { Name = identity.InlinePolicies[i].Name })
            : identity.InlinePolicies.Add(policy).Sort((a, b) => string.CompareOrdinal(a.Name.ToLowerInvariant(), b.Name.ToLowerInvariant()));
        return await CommitAsync(With(identity with { InlinePolicies = inline }));
    }

    Task<InlinePolicyInfo> IPolicyHolderGrain.GetInlinePolicy(string policyName)
    {
        var identity = Identity;
        var i = IndexOfInline(identity, policyName);
        if (i < 0)
        {
            throw AdminException.NotFound($"inline policy of {Noun} `{identity.Name}`", policyName);
        }

        var policy = identity.InlinePolicies[i];
        return Task.FromResult(new InlinePolicyInfo { EntityName = identity.Name, PolicyName = policy.Name, Document = policy.Document });
    }

    async Task<ulong> IPolicyHolderGrain.DeleteInlinePolicy(string policyName)
    {
        var identity = Identity;
        var i = IndexOfInline(identity, policyName);
        if (i < 0)
        {
            throw AdminException.NotFound($"inline policy of {Noun} `{identity.Name}`", policyName);
        }

        return await CommitAsync(With(identity with { InlinePolicies = identity.InlinePolicies.RemoveAt(i) }));
    }

    Task<ImmutableArray<string>> IPolicyHolderGrain.ListInlinePolicies() =>
        Task.FromResult(Identity.InlinePolicies.Select(p => p.Name).ToImmutableArray());

    Task<bool> IPolicyHolderGrain.UsesPolicy(string policyArn, PolicyUsage usage) =>
        Task.FromResult(Uses(state.State.Identity, policyArn, usage) || Uses(Committing?.Identity, policyArn, usage));

    private static bool Uses(IdentityState? identity, string policyArn, PolicyUsage usage) => identity is not null && (usage == PolicyUsage.Attached
        ? identity.AttachedPolicies.Any(p => SamePolicy(p.PolicyArn, policyArn))
        : identity.PermissionsBoundaryArn is { } boundary && SamePolicy(boundary, policyArn));

    async Task IPurgeableGrain.Purge(string tenantId)
    {
        if (state.State.Identity is not null)
        {
            await SaveAsync(new TState());
        }
    }

    private static int IndexOfInline(IdentityState identity, string policyName)
    {
        for (var i = 0; i < identity.InlinePolicies.Length; i++)
        {
            if (string.Equals(identity.InlinePolicies[i].Name, policyName, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The refusal of a delete while <paramref name="what"/> remains, as AWS's DeleteConflict.</summary>
    protected AdminException DeleteConflict(IdentityState identity, string what) =>
        AdminException.Conflict(AdminErrorKinds.DeleteConflict, ArnOf(identity), $"{Noun} `{identity.Name}` cannot be deleted while it has {what}");

    /// <summary>Refuses a delete while the entity has inline or attached policies.</summary>
    protected void CheckNoPolicies(IdentityState identity)
    {
        if (identity.InlinePolicies.Length > 0)
        {
            throw DeleteConflict(identity, $"inline policies (`{identity.InlinePolicies[0].Name}`)");
        }

        if (identity.AttachedPolicies.Length > 0)
        {
            throw DeleteConflict(identity, $"attached policies (`{identity.AttachedPolicies[0].PolicyArn}`)");
        }
    }
}
