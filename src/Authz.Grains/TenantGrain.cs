using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Authz.Grains;

/// <summary>
/// A tenant: existence, revision counter, guardrails (source of truth for all three) and the directory of names (an
/// index, a superset of the entities). It never calls other grains except the catalog, so entity grains can call it
/// from inside their turns.
/// </summary>
[GrainType("authz.tenant")]
public sealed class TenantGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<TenantState> state,
    [PersistentState("directory", AuthzGrainStorage.ProviderName)] IPersistentState<TenantDirectoryState> directory,
    IOptions<AuthzQuotaOptions> quotas,
    IOptions<AuthzLimitsOptions> limits,
    IAuditTrail audit) : Grain, ITenantGrain
{
    private readonly SortedDictionary<(EntityKind Kind, string Key), DirectoryEntryState> _index = [];
    private TenantBasis? _basis;

    private string TenantId => this.GetPrimaryKeyString();

    private bool Active => state.State.Status == TenantStatus.Active;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, TenantState.CurrentSchema, this);
        StateWrites.CheckSchema(directory.State, TenantDirectoryState.CurrentSchema, this);
        foreach (var entry in directory.State.Entries)
        {
            _index[(entry.Kind, entry.Key)] = entry;
        }

        return Task.CompletedTask;
    }

    async Task<TenantCreated> ITenantGrain.Create(string name)
    {
        switch (state.State.Status)
        {
            case TenantStatus.Active:
                throw AdminException.AlreadyExists("tenant", TenantId);
            case TenantStatus.Deleting:
                throw AdminException.Conflict(AdminErrorKinds.TenantDeleting, TenantId, $"tenant `{TenantId}` is being deleted; delete it again to finish");
        }

        var now = DateTimeOffset.UtcNow;
        await SaveAsync(state.State with
        {
            Status = TenantStatus.Active,
            Name = name,
            CreateDate = now,
            Revision = state.State.Revision + 1,
            GuardrailsRevision = state.State.Revision + 1,
            Guardrails = [],
        });
        return new TenantCreated { Tenant = Info(), Revision = state.State.Revision };
    }

    Task<TenantInfo> ITenantGrain.Get()
    {
        EnsureActive();
        return Task.FromResult(Info());
    }

    Task<TenantBasis> ITenantGrain.GetBasis() => Task.FromResult(_basis ??= new TenantBasis
    {
        TenantId = TenantId,
        Exists = Active,
        Revision = state.State.Revision,
        GuardrailsRevision = state.State.GuardrailsRevision,
        Guardrails = Active
            ? [.. state.State.Guardrails.Select(g => new SnapshotDocument
            {
                Id = g.Name,
                Kind = DocumentKind.Guardrail,
                Origin = DocumentOrigin.Guardrail,
                Json = g.Document,
            })]
            : [],
    });

    Task<ulong> ITenantGrain.GetRevision()
    {
        EnsureActive();
        return Task.FromResult(state.State.Revision);
    }

    async Task<ulong> ITenantGrain.CommitRevision(DirectoryRemoval? removal, long auditEventId)
    {
        EnsureActive();
        await SaveAsync(state.State with { Revision = state.State.Revision + 1 }, auditEventId);
        if (removal is not null && _index.Remove((removal.Kind, removal.Key)))
        {
            await SaveDirectoryAsync();
        }

        return state.State.Revision;
    }

    async Task ITenantGrain.Reserve(DirectoryEntry entry)
    {
        EnsureActive();
        var key = (entry.Kind, entry.Key);
        var record = new DirectoryEntryState { Kind = entry.Kind, Key = entry.Key, Name = entry.Name, Path = entry.Path };
        if (_index.TryGetValue(key, out var existing))
        {
            if (existing == record)
            {
                return;
            }
        }
        else if (_index.Count >= limits.Value.MaxEntitiesPerTenant)
        {
            // Counted and reserved in one turn of this (non-reentrant) grain, so concurrent creates cannot overshoot.
            var max = limits.Value.MaxEntitiesPerTenant;
            throw AdminException.Quota(AdminErrorKinds.EntitiesPerTenant, $"arn:aws:iam::{TenantId}:root",
                $"tenant `{TenantId}` already holds {_index.Count} entities (users, groups, roles, managed policies and registered resources), its limit of {max}");
        }

        _index[key] = record;
        await SaveDirectoryAsync();
    }

    Task<DirectoryPage> ITenantGrain.ListDirectory(EntityKind kind, string prefix, string? afterKey, int maxItems)
    {
        EnsureActive();
        var matches = _index.Values
            .Where(e => e.Kind == kind)
            .Where(e => afterKey is null || string.CompareOrdinal(e.Key, afterKey) > 0)
            .Where(e => string.IsNullOrEmpty(prefix) || (kind == EntityKind.Resource ? e.Key : e.Path).StartsWith(prefix, StringComparison.Ordinal))
            .Take(maxItems + 1)
            .ToList();
        return Task.FromResult(new DirectoryPage
        {
            Entries = [.. matches.Take(maxItems).Select(e => new DirectoryEntry { Kind = e.Kind, Key = e.Key, Name = e.Name, Path = e.Path })],
            HasMore = matches.Count > maxItems,
        });
    }

    async Task<ulong> ITenantGrain.PutGuardrail(string name, string document)
    {
        EnsureActive();
        PolicyDocumentRules.CompileForWrite(document, DocumentKind.Guardrail, name, null, quotas.Value.GuardrailCharacters);
        var guardrail = new GuardrailState { Name = name, Document = document, UpdateDate = DateTimeOffset.UtcNow };
        var revision = state.State.Revision + 1;
        var guardrails = state.State.Guardrails.FindIndex(name) is var i and >= 0
            ? state.State.Guardrails.SetItem(i, guardrail)
            : state.State.Guardrails.Add(guardrail).Sort((a, b) => string.CompareOrdinal(a.Name.ToLowerInvariant(), b.Name.ToLowerInvariant()));

        // The guardrails and the revision change in one write. Principals compare GuardrailsRevision when they serve a
        // snapshot, so no fan-out over the whole tenant is needed.
        await SaveAsync(state.State with { Revision = revision, GuardrailsRevision = revision, Guardrails = guardrails });
        return revision;
    }

    Task<GuardrailInfo> ITenantGrain.GetGuardrail(string name)
    {
        EnsureActive();
        var i = state.State.Guardrails.FindIndex(name);
        return i < 0 ? throw AdminException.NotFound("guardrail", name) : Task.FromResult(ToInfo(state.State.Guardrails[i]));
    }

    Task<ImmutableArray<GuardrailInfo>> ITenantGrain.ListGuardrails()
    {
        EnsureActive();
        return Task.FromResult(state.State.Guardrails.Select(ToInfo).ToImmutableArray());
    }

    async Task<ulong> ITenantGrain.DeleteGuardrail(string name)
    {
        EnsureActive();
        var i = state.State.Guardrails.FindIndex(name);
        if (i < 0)
        {
            throw AdminException.NotFound("guardrail", name);
        }

        var revision = state.State.Revision + 1;
        await SaveAsync(state.State with { Revision = revision, GuardrailsRevision = revision, Guardrails = state.State.Guardrails.RemoveAt(i) });
        return revision;
    }

    async Task<ImmutableArray<DirectoryEntry>> ITenantGrain.BeginDelete()
    {
        if (state.State.Status == TenantStatus.Absent)
        {
            throw AdminException.NotFound("tenant", TenantId);
        }

        if (state.State.Status == TenantStatus.Active)
        {
            // From here on the tenant does not exist for reads, writes and checks; the purge can take its time.
            await SaveAsync(state.State with { Status = TenantStatus.Deleting, Revision = state.State.Revision + 1 });
        }

        return [.. _index.Values.Select(e => new DirectoryEntry { Kind = e.Kind, Key = e.Key, Name = e.Name, Path = e.Path })];
    }

    async Task<ulong> ITenantGrain.CompleteDelete()
    {
        if (state.State.Status != TenantStatus.Deleting)
        {
            throw AdminException.NotFound("tenant", TenantId);
        }

        _index.Clear();
        await SaveDirectoryAsync();
        var revision = state.State.Revision + 1;
        await SaveAsync(new TenantState { Status = TenantStatus.Absent, Revision = revision, GuardrailsRevision = revision });
        return revision;
    }

    private TenantInfo Info() => new()
    {
        TenantId = TenantId,
        Name = state.State.Name,
        CreateDate = state.State.CreateDate,
        Revision = state.State.Revision,
    };

    private static GuardrailInfo ToInfo(GuardrailState g) => new() { Name = g.Name, Document = g.Document, UpdateDate = g.UpdateDate };

    private void EnsureActive()
    {
        if (!Active)
        {
            throw AdminException.NotFound("tenant", TenantId);
        }
    }

    /// <summary>
    /// Writes the tenant. A write that advances the revision is an admin change: a change of the tenant's own commits
    /// its audit record with it; the bump after an entity's change completes the record written with that change.
    /// </summary>
    private async Task SaveAsync(TenantState next, long auditEventId = 0)
    {
        var previous = state.State.Revision;
        using (next.Revision <= previous ? null
            : auditEventId != 0 ? audit.EnlistRevisions(auditEventId, previous, next.Revision)
            : audit.Enlist(TenantId, previous, next.Revision))
        {
            await StateWrites.SaveAsync(state, next, this);
        }

        _basis = null;
        if (next.Revision > previous)
        {
            // Tell every silo's decision cache, after the write is durable (one-way: the writer does not wait).
            GrainFactory.GetGrain<IRevisionHubGrain>(0).PublishAt(TenantId, next.Revision, DateTime.UtcNow).Ignore();
        }
    }

    private Task SaveDirectoryAsync() =>
        StateWrites.SaveAsync(directory, new TenantDirectoryState { Entries = [.. _index.Values] }, this);
}

internal static class GuardrailStateExtensions
{
    public static int FindIndex(this ImmutableArray<GuardrailState> guardrails, string name)
    {
        for (var i = 0; i < guardrails.Length; i++)
        {
            if (string.Equals(guardrails[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
