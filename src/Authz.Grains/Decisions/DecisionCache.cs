using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains.Decisions;

/// <summary>A principal as the decision path evaluates it: its compiled policy set and the context keys it fills.</summary>
public sealed class CachedPrincipal
{
    public required string TenantId { get; init; }
    public required PrincipalSnapshot Snapshot { get; init; }
    public required PrincipalPolicySet Policies { get; init; }
    /// <summary><c>aws:PrincipalArn</c>, <c>aws:PrincipalAccount</c>, <c>aws:PrincipalTag/*</c>, <c>aws:username</c> (users), <c>aws:PrincipalType</c>.</summary>
    public required KeyValuePair<string, string[]>[] ContextPairs { get; init; }
    /// <summary>Where each compiled policy of <see cref="Policies"/> comes from (reference keys: compiled policies are shared).</summary>
    public required IReadOnlyDictionary<CompiledPolicy, SnapshotDocument> Origins { get; init; }
    public ulong Revision => Policies.Revision;
    internal long LoadedAt { get; init; }
}

/// <summary>A resource as the decision path evaluates it: the governing resource policy, owner and tags.</summary>
public sealed class CachedResource
{
    public required string ResourceArn { get; init; }
    /// <summary>The owning tenant (<c>aws:ResourceAccount</c>); the registered ARN's or nearest registered ancestor's owner.</summary>
    public string? OwnerTenantId { get; init; }
    public required KeyValuePair<string, string[]>[] ContextPairs { get; init; }
    public required ResourcePolicySet Policies { get; init; }
    /// <summary>The ARN whose resource policy governs (the resource itself or an ancestor), or null.</summary>
    public string? PolicyHolderArn { get; init; }
    /// <summary>The tenant whose revision stamps this entry, and the revision.</summary>
    public required string RevisionTenant { get; init; }
    public required ulong Revision { get; init; }
    internal long LoadedAt { get; init; }
}

/// <summary>The key of a cached principal: names compare case-insensitively, as IAM names do.</summary>
public readonly record struct PrincipalKey(string TenantId, EntityKind Kind, string Name)
{
    public bool Equals(PrincipalKey other) =>
        Kind == other.Kind && TenantId == other.TenantId && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(TenantId, Kind, StringComparer.OrdinalIgnoreCase.GetHashCode(Name));
}

/// <summary>
/// The silo-local cache the decision path evaluates from. Entries are immutable snapshots filled from the principal and
/// resource grains and stamped with the tenant revision they are valid at. A hit costs one dictionary lookup and no
/// grain call, so checks of one principal run in parallel on every core instead of queueing behind its grain.
/// </summary>
/// <remarks>
/// Freshness: an entry serves a check when its revision is at least the check's <c>min_revision</c> and at least the
/// latest revision this silo has been told of (<see cref="IRevisionObserver"/>), and it is younger than
/// <see cref="DecisionOptions.MaxEntryAge"/>. Otherwise the check waits for one shared reload. Loads of the same key are
/// shared (single flight). A failed load never leaves a stale answer behind: the check fails with the exception.
/// </remarks>
public sealed class DecisionCache(IGrainFactory grains, PolicySetCompiler compiler, IOptions<DecisionOptions> options, ILogger<DecisionCache> logger)
    : IRevisionObserver
{
    /// <summary>The meter of the decision path.</summary>
    public static readonly Meter Meter = new("Authz.Decisions", "1.0");

    private static readonly Counter<long> Hits = Meter.CreateCounter<long>("authz.cache.hits", description: "Decision cache lookups served from memory");
    private static readonly Counter<long> Misses = Meter.CreateCounter<long>("authz.cache.misses", description: "Decision cache lookups that loaded from grains");
    private static readonly Counter<long> Invalidations = Meter.CreateCounter<long>("authz.cache.invalidations", description: "Revision notifications that made cached entries stale");

    private readonly ConcurrentDictionary<string, ulong> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PrincipalKey, CachedPrincipal> _principals = new();
    private readonly ConcurrentDictionary<PrincipalKey, Task<CachedPrincipal>> _principalLoads = new();
    private readonly ConcurrentDictionary<(string Arn, string Tenant), CachedResource> _resources = new();
    private readonly ConcurrentDictionary<(string Arn, string Tenant), Task<CachedResource>> _resourceLoads = new();
    private readonly DecisionOptions _options = options.Value;

    /// <summary>The latest revision of <paramref name="tenantId"/> this silo has been told of.</summary>
    public ulong KnownRevision(string tenantId) => _known.TryGetValue(tenantId, out var r) ? r : 0;

    Task IRevisionObserver.OnRevision(string tenantId, ulong revision)
    {
        NoteRevision(tenantId, revision);
        return Task.CompletedTask;
    }

    /// <summary>Records that a tenant has reached a revision (from a notification or a load).</summary>
    public void NoteRevision(string tenantId, ulong revision)
    {
        var previous = KnownRevision(tenantId);
        if (revision > previous)
        {
            _known.AddOrUpdate(tenantId, revision, (_, r) => Math.Max(r, revision));
            Invalidations.Add(1);
        }
    }

    /// <summary>The principal, from memory when fresh enough, else loaded once for all waiting checks.</summary>
    public ValueTask<CachedPrincipal> GetPrincipalAsync(PrincipalKey key, ulong minRevision, CancellationToken cancellationToken)
    {
        var needed = Math.Max(minRevision, KnownRevision(key.TenantId));
        if (_principals.TryGetValue(key, out var entry) && entry.Revision >= needed && Young(entry.LoadedAt))
        {
            Hits.Add(1);
            return ValueTask.FromResult(entry);
        }

        Misses.Add(1);
        return new ValueTask<CachedPrincipal>(LoadSharedAsync(_principalLoads, key, needed, LoadPrincipalAsync, e => e.Revision, cancellationToken));
    }

    /// <summary>
    /// The resource as seen by a check in <paramref name="tenantId"/>: owner, tags and governing resource policy.
    /// </summary>
    public ValueTask<CachedResource> GetResourceAsync(string resourceArn, string tenantId, ulong minRevision, CancellationToken cancellationToken)
    {
        var key = (resourceArn, tenantId);
        if (_resources.TryGetValue(key, out var entry)
            && entry.Revision >= Math.Max(entry.RevisionTenant == tenantId ? minRevision : 0, KnownRevision(entry.RevisionTenant))
            && Young(entry.LoadedAt))
        {
            Hits.Add(1);
            return ValueTask.FromResult(entry);
        }

        Misses.Add(1);
        return new ValueTask<CachedResource>(LoadSharedAsync(_resourceLoads, key, minRevision, LoadResourceAsync, e => e.RevisionTenant == tenantId ? e.Revision : ulong.MaxValue, cancellationToken));
    }

    private bool Young(long loadedAt) => Environment.TickCount64 - loadedAt < (long)_options.MaxEntryAge.TotalMilliseconds;

    /// <summary>
    /// Runs at most one load per key at a time. A waiter whose required revision the finished load did not reach starts
    /// another. Each waiter stops waiting at its own cancellation; the shared load continues for the others.
    /// </summary>
    private static async Task<TEntry> LoadSharedAsync<TKey, TEntry>(ConcurrentDictionary<TKey, Task<TEntry>> loads, TKey key, ulong needed,
        Func<TKey, ulong, Task<TEntry>> load, Func<TEntry, ulong> revisionOf, CancellationToken cancellationToken)
        where TKey : notnull
    {
        while (true)
        {
            var task = loads.GetOrAdd(key, k => RunAndForget(loads, k, needed, load));
            var entry = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (revisionOf(entry) >= needed)
            {
                return entry;
            }

            // The shared load served an older requirement; ask again (the next load carries ours).
            loads.TryRemove(new KeyValuePair<TKey, Task<TEntry>>(key, task));
        }
    }

    private static Task<TEntry> RunAndForget<TKey, TEntry>(ConcurrentDictionary<TKey, Task<TEntry>> loads, TKey key, ulong needed, Func<TKey, ulong, Task<TEntry>> load)
        where TKey : notnull
    {
        var task = load(key, needed);
        task.ContinueWith(t => loads.TryRemove(new KeyValuePair<TKey, Task<TEntry>>(key, t)), TaskScheduler.Default);
        return task;
    }

    private async Task<CachedPrincipal> LoadPrincipalAsync(PrincipalKey key, ulong needed)
    {
        try
        {
            IPrincipalGrain grain = key.Kind == EntityKind.User ? grains.GetUser(key.TenantId, key.Name) : grains.GetRole(key.TenantId, key.Name);
            var snapshot = await grain.GetSnapshot(needed);
            // A revision beyond the tenant's is a client error or a write still in flight: wait for it, up to a limit;
            // the caller's own deadline usually ends the wait first.
            var waited = 0;
            for (var delay = 5; snapshot.Revision < needed; delay = Math.Min(delay * 2, 200))
            {
                waited = await WaitForRevisionAsync(waited, delay, key.TenantId, needed);
                snapshot = await grain.GetSnapshot(needed);
            }

            var policies = compiler.Compile(snapshot);
            var entry = new CachedPrincipal
            {
                TenantId = key.TenantId,
                Snapshot = snapshot,
                Policies = policies,
                ContextPairs = PrincipalContext(snapshot),
                Origins = Origins(snapshot, policies),
                LoadedAt = Environment.TickCount64,
            };
            NoteRevision(key.TenantId, snapshot.Revision);
            if (_principals.Count >= _options.MaxPrincipals)
            {
                _principals.Clear();
            }

            _principals.AddOrUpdate(key, entry, (_, old) => old.Revision > entry.Revision ? old : entry);
            return entry;
        }
        catch (Exception ex)
        {
            DecisionLog.LoadFailed(logger, ex, "principal", $"{key.TenantId}/{key.Kind}/{key.Name}");
            throw;
        }
    }

    private static async Task<int> WaitForRevisionAsync(int waitedMs, int delayMs, string tenantId, ulong needed)
    {
        if (waitedMs >= MaxRevisionWaitMs)
        {
            throw new TimeoutException($"tenant `{tenantId}` did not reach revision {needed} within {MaxRevisionWaitMs} ms");
        }

        await Task.Delay(delayMs);
        return waitedMs + delayMs;
    }

    private const int MaxRevisionWaitMs = 10_000;

    private async Task<CachedResource> LoadResourceAsync((string Arn, string Tenant) key, ulong minRevision)
    {
        var waited = 0;
        for (var delay = 5; ; delay = Math.Min(delay * 2, 200))
        {
            var entry = await LoadResourceOnceAsync(key, minRevision);
            if (entry.RevisionTenant != key.Tenant || entry.Revision >= minRevision)
            {
                return entry;
            }

            waited = await WaitForRevisionAsync(waited, delay, key.Tenant, minRevision);
        }
    }

    private async Task<CachedResource> LoadResourceOnceAsync((string Arn, string Tenant) key, ulong minRevision)
    {
        try
        {
            var (arn, tenantId) = key;
            var view = await grains.GetGrain<IResourceTreeGrain>(GrainKeys.ResourceTree(arn)).GetView();
            var registered = view.FindRegistered(arn);
            ResourceSnapshot? owner = null;
            if (registered is not null)
            {
                owner = await grains.GetGrain<IResourceGrain>(GrainKeys.Resource(registered.ResourceArn))
                    .GetSnapshot(registered.OwnerTenantId == tenantId ? minRevision : 0);
            }

            ResourceSnapshot? governing = null;
            foreach (var holder in view.PolicyHolders(arn))
            {
                var snapshot = holder.ResourceArn == owner?.ResourceArn
                    ? owner
                    : await grains.GetGrain<IResourceGrain>(GrainKeys.Resource(holder.ResourceArn)).GetSnapshot(holder.OwnerTenantId == tenantId ? minRevision : 0);
                if (snapshot is { Registered: true, Policy: not null })
                {
                    governing = snapshot;
                    break;
                }
            }

            string revisionTenant;
            ulong revision;
            if (owner is { Registered: true, OwnerTenantId: { } ownerTenant })
            {
                revisionTenant = ownerTenant;
                revision = owner.Revision;
            }
            else
            {
                revisionTenant = tenantId;
                revision = await grains.GetTenant(tenantId).GetRevision();
            }

            var entry = new CachedResource
            {
                ResourceArn = arn,
                OwnerTenantId = owner is { Registered: true } ? owner.OwnerTenantId : null,
                ContextPairs = owner is { Registered: true } ? ResourceContext(owner) : [],
                Policies = compiler.Compile(governing),
                PolicyHolderArn = governing?.ResourceArn,
                RevisionTenant = revisionTenant,
                Revision = revision,
                LoadedAt = Environment.TickCount64,
            };
            NoteRevision(revisionTenant, revision);
            if (_resources.Count >= _options.MaxResources)
            {
                _resources.Clear();
            }

            _resources[key] = entry;
            return entry;
        }
        catch (Exception ex)
        {
            DecisionLog.LoadFailed(logger, ex, "resource", key.Arn);
            throw;
        }
    }

    private static KeyValuePair<string, string[]>[] PrincipalContext(PrincipalSnapshot snapshot)
    {
        if (!snapshot.Exists)
        {
            return [];
        }

        var pairs = new List<KeyValuePair<string, string[]>>
        {
            new("aws:PrincipalArn", [snapshot.Arn]),
            new("aws:PrincipalAccount", [snapshot.TenantId]),
            new("aws:PrincipalType", [snapshot.Kind == EntityKind.User ? "User" : "AssumedRole"]),
            new("aws:userid", [snapshot.Id]),
        };
        if (snapshot.Kind == EntityKind.User)
        {
            pairs.Add(new("aws:username", [snapshot.Name]));
        }

        foreach (var tag in snapshot.Tags)
        {
            pairs.Add(new("aws:PrincipalTag/" + tag.Key, [tag.Value]));
        }

        return [.. pairs];
    }

    private static KeyValuePair<string, string[]>[] ResourceContext(ResourceSnapshot snapshot) =>
        [.. snapshot.Tags.Select(t => new KeyValuePair<string, string[]>("aws:ResourceTag/" + t.Key, [t.Value]))];

    private Dictionary<CompiledPolicy, SnapshotDocument> Origins(PrincipalSnapshot snapshot, PrincipalPolicySet policies)
    {
        var origins = new Dictionary<CompiledPolicy, SnapshotDocument>(ReferenceEqualityComparer.Instance);
        foreach (var document in snapshot.Documents)
        {
            origins.TryAdd(compiler.Compile(document), document);
        }

        return origins;
    }
}
