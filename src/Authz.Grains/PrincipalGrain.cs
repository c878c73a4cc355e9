using System.Collections.Immutable;
using Authz.Grains.State;
using Authz.Policy.Evaluation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// What user and role grains share: tags, a permissions boundary, and the principal's snapshot and compiled policy set.
/// </summary>
/// <remarks>
/// <para>
/// The snapshot is built lazily and kept until something it was built from changes. Changes reach it two ways:
/// writers of the principal itself, of its groups and of managed policies it uses call <see cref="IPrincipalGrain.Invalidate"/>
/// (directly, or through <see cref="IGroupGrain.InvalidateMembers"/>) before they bump the revision; guardrail changes
/// are seen by comparing the tenant's <see cref="TenantBasis.GuardrailsRevision"/>, read on every snapshot request, so a
/// guardrail write never fans out over the whole tenant.
/// </para>
/// <para>
/// Every snapshot request reads the tenant basis first. Because writers commit, invalidate, and only then bump, a
/// snapshot that is still clean after that read is valid at the revision read, and is re-stamped with it; a dirty one
/// is rebuilt from documents fetched after the read. Either way the stamp is at least every acknowledged revision.
/// </para>
/// </remarks>
public abstract class PrincipalGrain<TState>(IPersistentState<TState> state, IOptions<AuthzQuotaOptions> quotas, PolicySetCompiler compiler,
    IAuditTrail audit, ILogger logger)
    : IdentityGrain<TState>(state, quotas, audit, logger), IPrincipalGrain
    where TState : class, IIdentityHolderState<TState>, new()
{
    private PrincipalSnapshot? _snapshot;
    private PrincipalPolicySet? _compiled;
    private long _generation;
    private long _builtGeneration = -1;
    private int _builds;

    /// <summary>The principal's own documents besides identity policies (a role's trust policy).</summary>
    protected virtual SnapshotDocument? TrustPolicy => null;

    /// <summary>The groups whose policies the principal inherits.</summary>
    protected virtual ImmutableArray<string> GroupNames => [];

    protected override Task OnChangedAsync()
    {
        _generation++;
        return Task.CompletedTask;
    }

    Task IPrincipalGrain.Invalidate()
    {
        _generation++;
        return Task.CompletedTask;
    }

    async Task<ulong> IPrincipalGrain.Tag(ImmutableArray<TagEntry> tags)
    {
        var identity = Identity;
        var merged = identity.Tags.ToList();
        var changed = false;
        foreach (var tag in tags)
        {
            var i = merged.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.OrdinalIgnoreCase));
            var record = new TagState { Key = tag.Key, Value = tag.Value };
            if (i < 0)
            {
                merged.Add(record);
                changed = true;
            }
            else if (merged[i] != record)
            {
                merged[i] = record;
                changed = true;
            }
        }

        CheckTagQuota(merged.Count, Quotas.TagsPerEntity, ArnOf(identity));
        return changed ? await CommitAsync(With(identity with { Tags = [.. merged] })) : await CurrentRevisionAsync();
    }

    async Task<ulong> IPrincipalGrain.Untag(ImmutableArray<string> tagKeys)
    {
        var identity = Identity;
        var kept = identity.Tags.RemoveAll(t => tagKeys.Any(k => string.Equals(k, t.Key, StringComparison.OrdinalIgnoreCase)));
        return kept.Length == identity.Tags.Length ? await CurrentRevisionAsync() : await CommitAsync(With(identity with { Tags = kept }));
    }

    async Task<ulong> IPrincipalGrain.PutPermissionsBoundary(string policyArn)
    {
        var identity = Identity;
        var previous = identity.PermissionsBoundaryArn;
        if (previous is not null && SamePolicy(previous, policyArn))
        {
            return await CurrentRevisionAsync();
        }

        var policy = await GrainFactory.GetManagedPolicy(policyArn).AddAttachment(policyArn, AttachmentOf(identity, PolicyUsage.PermissionsBoundary));
        var audited = await SaveChangeAsync(With(identity with { PermissionsBoundaryArn = policy.PolicyArn }));
        if (previous is not null)
        {
            await DropReverseReferenceAsync(
                () => GrainFactory.GetManagedPolicy(previous).RemoveAttachment(previous, AttachmentOf(identity, PolicyUsage.PermissionsBoundary)),
                previous);
        }

        return await Tenant.CommitRevision(null, audited);
    }

    async Task<ulong> IPrincipalGrain.DeletePermissionsBoundary()
    {
        var identity = Identity;
        if (identity.PermissionsBoundaryArn is not { } previous)
        {
            return await CurrentRevisionAsync();
        }

        var audited = await SaveChangeAsync(With(identity with { PermissionsBoundaryArn = null }));
        await DropReverseReferenceAsync(
            () => GrainFactory.GetManagedPolicy(previous).RemoveAttachment(previous, AttachmentOf(identity, PolicyUsage.PermissionsBoundary)),
            previous);
        return await Tenant.CommitRevision(null, audited);
    }

    async ValueTask<PrincipalSnapshot> IPrincipalGrain.GetSnapshot(ulong minRevision) => (await RefreshAsync()).Snapshot;

    async ValueTask<CompiledSetSummary> IPrincipalGrain.DescribeCompiledSet(ulong minRevision) =>
        PolicySetCompiler.Describe((await RefreshAsync()).Compiled, _builds);

    /// <summary>Serves the cached snapshot re-stamped, or rebuilds it.</summary>
    private async Task<(PrincipalSnapshot Snapshot, PrincipalPolicySet Compiled)> RefreshAsync()
    {
        var basis = await Tenant.GetBasis();
        var identity = Store.State.Identity;
        if (!basis.Exists || identity is null)
        {
            var missing = new PrincipalSnapshot { TenantId = TenantId, Kind = Kind, Exists = false, Revision = basis.Revision };
            return (missing, compiler.Compile(missing));
        }

        if (_snapshot is not null && _compiled is not null && _builtGeneration == _generation && _snapshot.GuardrailsRevision == basis.GuardrailsRevision)
        {
            if (_snapshot.Revision < basis.Revision)
            {
                _snapshot = _snapshot with { Revision = basis.Revision };
                _compiled = _compiled.WithRevision(basis.Revision);
            }

            return (_snapshot, _compiled);
        }

        var generation = _generation;
        var documents = await CollectDocumentsAsync(identity, basis);
        var snapshot = new PrincipalSnapshot
        {
            TenantId = TenantId,
            Kind = Kind,
            Exists = true,
            Name = identity.Name,
            Id = identity.Id,
            Arn = ArnOf(identity),
            Path = identity.Path,
            Tags = ToEntries(identity.Tags),
            Documents = documents,
            TrustPolicy = TrustPolicy,
            Revision = basis.Revision,
            GuardrailsRevision = basis.GuardrailsRevision,
        };
        var compiled = compiler.Compile(snapshot);
        _snapshot = snapshot;
        _compiled = compiled;
        _builtGeneration = generation;
        _builds++;
        Log.SnapshotBuilt(Logger, snapshot.Arn, snapshot.Revision, documents.Length);
        return (snapshot, compiled);
    }

    /// <summary>
    /// Own inline, own managed, each group's inline and managed, the boundary, the guardrails. A document that cannot be
    /// read throws, so the principal is never evaluated without one of its denies.
    /// </summary>
    private async Task<ImmutableArray<SnapshotDocument>> CollectDocumentsAsync(IdentityState identity, TenantBasis basis)
    {
        var groups = await Task.WhenAll(GroupNames.Select(g => GrainFactory.GetGroup(TenantId, g).GetPolicies()));
        var managed = identity.AttachedPolicies
            .Select(p => (Arn: p.PolicyArn, Origin: DocumentOrigin.Managed, Owner: (string?)null, Kind: DocumentKind.Identity))
            .Concat(groups.SelectMany(g => g.ManagedPolicyArns.Select(arn => (Arn: arn, Origin: DocumentOrigin.GroupManaged, Owner: (string?)g.GroupName, Kind: DocumentKind.Identity))))
            .Concat(identity.PermissionsBoundaryArn is { } boundary
                ? [(Arn: boundary, Origin: DocumentOrigin.PermissionsBoundary, Owner: (string?)null, Kind: DocumentKind.PermissionsBoundary)]
                : [])
            .ToList();
        var fetched = await Task.WhenAll(managed.Select(m => GrainFactory.GetManagedPolicy(m.Arn).GetDefaultDocument(m.Kind)));

        var documents = ImmutableArray.CreateBuilder<SnapshotDocument>();
        documents.AddRange(identity.InlinePolicies.Select(p => new SnapshotDocument
        {
            Id = p.Name,
            Kind = DocumentKind.Identity,
            Origin = DocumentOrigin.Inline,
            Json = p.Document,
        }));
        for (var i = 0; i < managed.Count; i++)
        {
            if (managed[i].Origin == DocumentOrigin.Managed)
            {
                documents.Add(fetched[i] with { Origin = DocumentOrigin.Managed });
            }
        }

        foreach (var group in groups)
        {
            documents.AddRange(group.Inline);
            for (var i = 0; i < managed.Count; i++)
            {
                if (managed[i].Origin == DocumentOrigin.GroupManaged && managed[i].Owner == group.GroupName)
                {
                    documents.Add(fetched[i] with { Origin = DocumentOrigin.GroupManaged, OwnerName = group.GroupName });
                }
            }
        }

        for (var i = 0; i < managed.Count; i++)
        {
            if (managed[i].Origin == DocumentOrigin.PermissionsBoundary)
            {
                documents.Add(fetched[i] with { Origin = DocumentOrigin.PermissionsBoundary });
            }
        }

        documents.AddRange(basis.Guardrails);
        return documents.ToImmutable();
    }
}
