using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RequestContext = Authz.Policy.Evaluation.RequestContext;

namespace Authz.Grains.Decisions;

/// <summary>A principal as the decision path evaluates it: its compiled policy set and the context keys it fills.</summary>
public sealed class CachedPrincipal
{
    public required string TenantId { get; init; }
    public required PrincipalSnapshot Snapshot { get; init; }
    public required PrincipalPolicySet Policies { get; init; }
    /// <summary>
    /// The context keys the principal fills, built once for every check of it: <c>aws:PrincipalArn</c>,
    /// <c>aws:PrincipalAccount</c>, <c>aws:PrincipalTag/*</c>, <c>aws:username</c> (users), <c>aws:userid</c>, <c>aws:PrincipalType</c>.
    /// </summary>
    public required RequestContext Context { get; init; }
    /// <summary>Where each compiled policy of <see cref="Policies"/> comes from (reference keys: compiled policies are shared).</summary>
    public required IReadOnlyDictionary<CompiledPolicy, SnapshotDocument> Origins { get; init; }
    public ulong Revision => Policies.Revision;
    internal long LoadedAt { get; init; }
    /// <summary>What the silo knows of <see cref="TenantId"/>; null when it had no revision at load.</summary>
    internal KnownTenant? Tenant { get; init; }
}

/// <summary>
/// A resource as a check in one tenant evaluates it: that tenant's existence, and the governing resource policy, owner
/// and tags. One entry serves every ARN whose nearest registered self-or-ancestor is the same (or, for ARNs with none,
/// every such ARN of a resource tree). The resource <c>*</c> carries only the tenant's existence and revision.
/// </summary>
public sealed class CachedResource
{
    /// <summary>The owning tenant: the registered ARN's or nearest registered ancestor's owner.</summary>
    public string? OwnerTenantId { get; init; }
    /// <summary>
    /// <c>aws:ResourceAccount</c>: the owner of a registered resource; else the ARN's own account field; else the check's
    /// tenant. An unregistered ARN of another tenant therefore stays cross-tenant and needs that tenant's resource policy.
    /// </summary>
    public required string ResourceAccount { get; init; }
    /// <summary>The context keys the resource fills, built once for every check of it: <c>aws:ResourceAccount</c>, <c>aws:ResourceTag/*</c>.</summary>
    public required RequestContext Context { get; init; }
    public required ResourcePolicySet Policies { get; init; }
    /// <summary>The ARN whose resource policy governs (the resource itself or an ancestor), or null.</summary>
    public string? PolicyHolderArn { get; init; }
    /// <summary>Whether the check's tenant exists; when it does not, the entry holds nothing else.</summary>
    public required bool TenantExists { get; init; }
    /// <summary>The check tenant's revision this entry is valid at: every write of that tenant acknowledged at or below it is reflected.</summary>
    public required ulong TenantRevision { get; init; }
    /// <summary>The owner in the resource tree when it is another tenant, whose writes change this entry too; else null.</summary>
    public string? ForeignOwnerTenantId { get; init; }
    /// <summary>The foreign owner's revision this entry is valid at (0 when none is known to hold).</summary>
    public ulong ForeignOwnerRevision { get; init; }
    /// <summary>What the silo knows of the check's tenant; null when it had no revision at load (it did not exist).</summary>
    internal KnownTenant? Tenant { get; init; }
    /// <summary>What the silo knows of <see cref="ForeignOwnerTenantId"/>, when there is one.</summary>
    internal KnownTenant? ForeignOwner { get; init; }
}

/// <summary>
/// One resource tree (the ARNs up to their first <c>/</c>) as checks in one tenant see it: read after that tenant's
/// revision <see cref="TenantRevision"/>, with the entry of each registered ARN resolved on first use.
/// </summary>
internal sealed class CachedTree
{
    private readonly CachedResource?[] _resolved;

    public CachedTree(string tenantId, string key, ResourceTreeView? view, CachedResource unregistered)
    {
        TenantId = tenantId;
        Key = key;
        View = view;
        _resolved = new CachedResource?[view?.Entries.Length ?? 0];
        Unregistered = unregistered;
        // The account field of an ARN ends at its fifth colon; when that lies in the key, every ARN of the tree has the
        // key's account, and one unregistered entry serves them all.
        AccountInKey = key.AsSpan().Count(':') >= 5;
        LoadedAt = Environment.TickCount64;
    }

    public string TenantId { get; }
    public string Key { get; }
    /// <summary>The registered ARNs, or null when the tenant does not exist or the key is <c>*</c>.</summary>
    public ResourceTreeView? View { get; }
    /// <summary>The entry of an ARN without a registered self-or-ancestor, when its account is the key's.</summary>
    public CachedResource Unregistered { get; }
    public bool AccountInKey { get; }
    public ulong TenantRevision => Unregistered.TenantRevision;
    public KnownTenant? Tenant => Unregistered.Tenant;
    public long LoadedAt { get; }

    /// <summary>The index of the ARN's nearest registered self-or-ancestor, or -1.</summary>
    public int FindRegistered(string resourceArn) => View?.IndexOfRegistered(resourceArn) ?? -1;

    public ResourceTreeEntry Registered(int index) => View!.Entries[index];

    /// <summary>The entry of the registered ARN at <paramref name="index"/>, once resolved.</summary>
    public CachedResource? Resolved(int index) => Volatile.Read(ref _resolved[index]);

    public void Resolve(int index, CachedResource entry) => Volatile.Write(ref _resolved[index], entry);
}

/// <summary>The resource trees cached for one tenant's checks, found by a span of the ARN without copying it.</summary>
internal sealed class TenantTrees
{
    public TenantTrees() => Lookup = Map.GetAlternateLookup<ReadOnlySpan<char>>();

    public ConcurrentDictionary<string, CachedTree> Map { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, CachedTree>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }
}

/// <summary>
/// What a silo knows of one tenant: the latest revision it has been told of, and its checks by decision. Cache entries
/// hold it, so a cache hit compares revisions and a check is counted without a lookup by tenant id.
/// </summary>
internal sealed class KnownTenant(string tenantId)
{
    private ulong _revision;
    private readonly long[] _checks = new long[3];

    public string TenantId { get; } = tenantId;
    public ulong Revision => Volatile.Read(ref _revision);

    /// <summary>Raises the revision; false when it was already at least <paramref name="revision"/>.</summary>
    public bool Advance(ulong revision)
    {
        for (var current = Revision; revision > current; current = Revision)
        {
            if (Interlocked.CompareExchange(ref _revision, revision, current) == current)
            {
                return true;
            }
        }

        return false;
    }

    public void CountCheck(Decision decision) => Interlocked.Increment(ref _checks[(int)decision]);
    public long Checks(Decision decision) => Volatile.Read(ref _checks[(int)decision]);
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
/// Freshness: an entry serves a check when its revision of the check's tenant is at least the check's
/// <c>min_revision</c> and at least the latest revision this silo has been told of (<see cref="IRevisionObserver"/>), its
/// revision of any other tenant whose writes it reflects (a resource's foreign owner) is at least that tenant's latest,
/// and it is younger than <see cref="DecisionOptions.MaxEntryAge"/>. Otherwise the check waits for one shared reload
/// (<see cref="SharedLoads{TKey,TEntry}"/>). A failed load never leaves a stale answer behind: the check fails with the
/// exception.
/// </remarks>
public sealed class DecisionCache(IGrainFactory grains, PolicySetCompiler compiler, IOptions<DecisionOptions> options, ILogger<DecisionCache> logger)
    : IRevisionObserver
{
    /// <summary>The meter of the decision path.</summary>
    public static readonly Meter Meter = new("Authz.Decisions", "1.0");

    // Counted with Interlocked and observed when metrics are collected: a Counter<T>.Add per lookup cost more than the
    // lookup itself. The instruments are created once per process; every cache adds to the same totals.
    private static long s_hits;
    private static long s_misses;
    private static long s_invalidations;
    private static readonly ObservableCounter<long> Hits = Meter.CreateObservableCounter("authz.cache.hits", () => Volatile.Read(ref s_hits),
        description: "Decision cache lookups served from memory");
    private static readonly ObservableCounter<long> Misses = Meter.CreateObservableCounter("authz.cache.misses", () => Volatile.Read(ref s_misses),
        description: "Decision cache lookups that loaded from grains");
    private static readonly ObservableCounter<long> Invalidations = Meter.CreateObservableCounter("authz.cache.invalidations",
        () => Volatile.Read(ref s_invalidations), description: "Revision notifications that made cached entries stale");

    private readonly ConcurrentDictionary<string, KnownTenant> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PrincipalKey, CachedPrincipal> _principals = new();
    private readonly SharedLoads<PrincipalKey, CachedPrincipal> _principalLoads = new(e => e.Revision);
    private readonly ConcurrentDictionary<string, TenantTrees> _trees = new(StringComparer.Ordinal);
    private int _treeCount;
    private readonly SharedLoads<(string Tenant, string Key), CachedTree> _treeLoads = new(t => t.TenantRevision);
    // Keyed by the tree object: a reloaded tree resolves its entries anew. The revision is the tree's, always enough.
    private readonly SharedLoads<(CachedTree Tree, int Index), CachedResource> _entryLoads = new(_ => ulong.MaxValue);
    private readonly DecisionOptions _options = options.Value;

    /// <summary>The latest revision of <paramref name="tenantId"/> this silo has been told of.</summary>
    public ulong KnownRevision(string tenantId) => _known.TryGetValue(tenantId, out var tenant) ? tenant.Revision : 0;

    /// <summary>
    /// The tenant's record once it has a revision; null before (a tenant that does not exist), so that ids a client makes
    /// up fill no table.
    /// </summary>
    private KnownTenant? Known(string tenantId, ulong revision) =>
        revision > 0 || _known.ContainsKey(tenantId) ? _known.GetOrAdd(tenantId, id => DecisionMetrics.Track(new KnownTenant(id))) : null;

    Task IRevisionObserver.OnRevision(string tenantId, ulong revision)
    {
        NoteRevision(tenantId, revision);
        return Task.CompletedTask;
    }

    Task IRevisionObserver.OnRevisionAt(string tenantId, ulong revision, DateTime committedAtUtc)
    {
        if (NoteRevision(tenantId, revision))
        {
            // Only when the notification is how this silo learns of the revision (a load may have been first). Clocks of
            // two machines may disagree by a little: never negative.
            DecisionMetrics.Staleness.Record(Math.Max(0, (DateTime.UtcNow - committedAtUtc).TotalSeconds));
        }

        return Task.CompletedTask;
    }

    /// <summary>Records that a tenant has reached a revision (from a notification or a load); true when it is news.</summary>
    public bool NoteRevision(string tenantId, ulong revision)
    {
        if (Known(tenantId, revision)?.Advance(revision) != true)
        {
            return false;
        }

        Interlocked.Increment(ref s_invalidations);
        return true;
    }

    /// <summary>The principal, from memory when fresh enough, else loaded once for all waiting checks.</summary>
    public ValueTask<CachedPrincipal> GetPrincipalAsync(PrincipalKey key, ulong minRevision, CancellationToken cancellationToken)
    {
        if (_principals.TryGetValue(key, out var entry) && TryReuse(entry, minRevision))
        {
            return ValueTask.FromResult(entry);
        }

        var needed = Math.Max(minRevision, KnownRevision(key.TenantId));
        Interlocked.Increment(ref s_misses);
        return new ValueTask<CachedPrincipal>(_principalLoads.GetAsync(key, needed, LoadPrincipalAsync, cancellationToken));
    }

    /// <summary>
    /// Whether a principal entry that a check already holds (from an earlier check of the same principal text) may
    /// serve it, by the same rules as a lookup; counted as a hit when it may.
    /// </summary>
    public bool TryReuse(CachedPrincipal entry, ulong minRevision)
    {
        if (entry.Revision >= Math.Max(minRevision, entry.Tenant?.Revision ?? KnownRevision(entry.TenantId)) && Young(entry.LoadedAt))
        {
            Interlocked.Increment(ref s_hits);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The resource as seen by a check in <paramref name="tenantId"/>: whether the tenant exists, and the resource's owner,
    /// tags and governing resource policy. <paramref name="resourceArn"/> is an ARN or <c>*</c>.
    /// </summary>
    /// <remarks>
    /// Resolved through the ARN's resource tree, cached per tenant: the nearest registered self-or-ancestor decides, so
    /// all the objects under one bucket share its entry, and a write of the tenant reloads a tree once, not every ARN.
    /// </remarks>
    public ValueTask<CachedResource> GetResourceAsync(string resourceArn, string tenantId, ulong minRevision, CancellationToken cancellationToken)
    {
        if (FreshTree(resourceArn, tenantId, minRevision) is { } tree && Cached(tree, resourceArn) is { } entry)
        {
            Interlocked.Increment(ref s_hits);
            return ValueTask.FromResult(entry);
        }

        Interlocked.Increment(ref s_misses);
        return new ValueTask<CachedResource>(LoadResourceAsync(resourceArn, tenantId, minRevision, cancellationToken));
    }

    /// <summary>The cached tree of the ARN, when fresh enough for a check in <paramref name="tenantId"/>.</summary>
    private CachedTree? FreshTree(string resourceArn, string tenantId, ulong minRevision)
    {
        return _trees.TryGetValue(tenantId, out var trees) && trees.Lookup.TryGetValue(GrainKeys.ResourceTreeSpan(resourceArn), out var tree)
            && tree.TenantRevision >= Math.Max(minRevision, tree.Tenant?.Revision ?? KnownRevision(tenantId)) && Young(tree.LoadedAt)
            ? tree
            : null;
    }

    /// <summary>The ARN's entry in a fresh tree, when it is resolved and any foreign owner's revision still holds.</summary>
    private CachedResource? Cached(CachedTree tree, string resourceArn)
    {
        var index = tree.FindRegistered(resourceArn);
        if (index < 0)
        {
            return tree.AccountInKey || resourceArn.Length == tree.Key.Length ? tree.Unregistered : null;
        }

        return tree.Resolved(index) is { } entry
            && (entry.ForeignOwnerTenantId is not { } foreign || entry.ForeignOwnerRevision >= (entry.ForeignOwner?.Revision ?? KnownRevision(foreign)))
            ? entry
            : null;
    }

    private async Task<CachedResource> LoadResourceAsync(string resourceArn, string tenantId, ulong minRevision, CancellationToken cancellationToken)
    {
        var tree = FreshTree(resourceArn, tenantId, minRevision);
        if (tree is not null && Cached(tree, resourceArn) is { } entry)
        {
            return entry;
        }

        // A resolved entry that is not usable is a foreign owner's stale revision: that tenant's writes may have changed
        // the tree too, which is read again.
        if (tree is null || tree.FindRegistered(resourceArn) is var registered and >= 0 && tree.Resolved(registered) is not null)
        {
            tree = await _treeLoads.GetAsync((tenantId, GrainKeys.ResourceTree(resourceArn)), Math.Max(minRevision, KnownRevision(tenantId)),
                LoadTreeAsync, cancellationToken);
        }

        var index = tree.FindRegistered(resourceArn);
        if (index < 0)
        {
            // An ARN whose account field the tree key cuts: its own account, and an entry of its own.
            return Unregistered(ResourceAccount(resourceArn, owner: null, tenantId), tree.Unregistered.TenantExists, tree.TenantRevision, tree.Tenant);
        }

        // A check that joins a resolution already running for a foreign owner's older revision takes its result:
        // freshness without min_revision is bounded, not exact, and the next check resolves again.
        return await _entryLoads.GetAsync((tree, index), 0, ResolveAsync, cancellationToken);
    }

    private bool Young(long loadedAt) => Environment.TickCount64 - loadedAt < (long)_options.MaxEntryAge.TotalMilliseconds;

    private async Task<CachedPrincipal> LoadPrincipalAsync(PrincipalKey key, ulong needed)
    {
        try
        {
            IPrincipalGrain grain = key.Kind == EntityKind.User ? grains.GetUser(key.TenantId, key.Name) : grains.GetRole(key.TenantId, key.Name);
            var snapshot = await ReadAtLeastAsync(() => grain.GetSnapshot(needed).AsTask(), s => s.Revision, key.TenantId, needed);
            var policies = compiler.Compile(snapshot);
            var entry = new CachedPrincipal
            {
                TenantId = key.TenantId,
                Snapshot = snapshot,
                Policies = policies,
                Context = PrincipalContext(snapshot),
                Origins = Origins(snapshot, policies),
                LoadedAt = Environment.TickCount64,
                Tenant = Known(key.TenantId, snapshot.Revision),
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

    /// <summary>
    /// Reads until the tenant's revision reaches <paramref name="needed"/>. A revision beyond the tenant's is a client
    /// error or a write still in flight: wait for it, up to a limit; the caller's own deadline usually ends the wait first.
    /// </summary>
    private static async Task<T> ReadAtLeastAsync<T>(Func<Task<T>> read, Func<T, ulong> revisionOf, string tenantId, ulong needed)
    {
        var value = await read();
        for (int delay = 5, waited = 0; revisionOf(value) < needed; waited += delay, delay = Math.Min(delay * 2, 200))
        {
            if (waited >= MaxRevisionWaitMs)
            {
                throw new TimeoutException($"tenant `{tenantId}` did not reach revision {needed} within {MaxRevisionWaitMs} ms");
            }

            await Task.Delay(delay);
            value = await read();
        }

        return value;
    }

    private const int MaxRevisionWaitMs = 10_000;

    private async Task<CachedTree> LoadTreeAsync((string Tenant, string Key) key, ulong needed)
    {
        try
        {
            var tree = await ReadAtLeastAsync(() => ReadTreeAsync(key.Key, key.Tenant), t => t.TenantRevision, key.Tenant, needed);
            NoteRevision(key.Tenant, tree.TenantRevision);
            var map = _trees.GetOrAdd(key.Tenant, _ => new TenantTrees()).Map;
            if (map.TryAdd(key.Key, tree))
            {
                if (Interlocked.Increment(ref _treeCount) > _options.MaxResources)
                {
                    // A racing add may be counted and then cleared, but is never kept uncounted.
                    Interlocked.Exchange(ref _treeCount, 0);
                    _trees.Clear();
                }
            }
            else
            {
                map.AddOrUpdate(key.Key, tree, (_, old) => old.TenantRevision > tree.TenantRevision ? old : tree);
            }

            return tree;
        }
        catch (Exception ex)
        {
            DecisionLog.LoadFailed(logger, ex, "resource tree", key.Key);
            throw;
        }
    }

    /// <summary>
    /// Reads the tree <paramref name="key"/> as a check in <paramref name="tenantId"/> needs it, stamped with the tenant's
    /// revision read first.
    /// </summary>
    /// <remarks>
    /// A write changes the resource tree and the resource grain before it moves its tenant's revision (ResourceGrain). So
    /// the check tenant's revision, read first, is reflected by the tree and the resources read after it (when an entry
    /// is resolved), whatever they hold by then; an unregistered ARN and a resource that moves into the tenant are
    /// stamped by the tenant's own revision.
    /// </remarks>
    private async Task<CachedTree> ReadTreeAsync(string key, string tenantId)
    {
        // GetBasis, not GetRevision: a missing tenant is an answer (an implicit deny with a reason), not a failure.
        var basis = await grains.GetTenant(tenantId).GetBasis();
        var view = basis.Exists && key != "*" ? await grains.GetResourceTree(key).GetView() : null;
        var unregistered = Unregistered(ResourceAccount(key, owner: null, tenantId), basis.Exists, basis.Revision, Known(tenantId, basis.Revision));
        return new CachedTree(tenantId, key, view, unregistered);
    }

    /// <summary>The entry of an ARN that no registered ARN governs: no owner, tags or policy.</summary>
    private static CachedResource Unregistered(string account, bool tenantExists, ulong tenantRevision, KnownTenant? tenant) => new()
    {
        ResourceAccount = account,
        Context = ResourceContext(account, []),
        Policies = ResourcePolicySet.Empty,
        TenantExists = tenantExists,
        TenantRevision = tenantRevision,
        Tenant = tenant,
    };

    /// <summary>
    /// Resolves the registered ARN at <paramref name="key"/>'s index: its owner and tags, and the nearest policy that
    /// governs it, read after the tree.
    /// </summary>
    /// <remarks>
    /// A foreign owner's revision is read with its resource snapshot, after the tree: it holds only if the tree did not
    /// change in between (its version is read again last). Otherwise it is 0, which is true of any read and stale as
    /// soon as the silo knows a later revision of that tenant, so the next check resolves again instead of this one looping.
    /// </remarks>
    private async Task<CachedResource> ResolveAsync((CachedTree Tree, int Index) key, ulong needed)
    {
        var (tree, index) = key;
        var registered = tree.Registered(index);
        try
        {
            var owner = await ResourceSnapshotAsync(registered.ResourceArn);
            ResourceSnapshot? governing = null;
            foreach (var holder in tree.View!.PolicyHolders(registered.ResourceArn))
            {
                var snapshot = holder.ResourceArn == owner.ResourceArn ? owner : await ResourceSnapshotAsync(holder.ResourceArn);
                if (snapshot is { Registered: true, Policy: not null })
                {
                    governing = snapshot;
                    break;
                }
            }

            var foreignOwner = registered.OwnerTenantId != tree.TenantId ? registered.OwnerTenantId : null;
            var foreignRevision = foreignOwner is not null && await grains.GetResourceTree(tree.Key).GetVersion() == tree.View.Version ? owner.Revision : 0;
            if (foreignOwner is not null)
            {
                NoteRevision(foreignOwner, foreignRevision);
            }

            var entry = new CachedResource
            {
                // The tree's owner even while that tenant is being deleted (its snapshot then reads as unregistered): the
                // resource stays foreign to every other tenant until the purge releases it, never anybody's by default.
                OwnerTenantId = registered.OwnerTenantId,
                ResourceAccount = registered.OwnerTenantId,
                Context = ResourceContext(registered.OwnerTenantId, owner is { Registered: true } ? owner.Tags : []),
                Policies = compiler.Compile(governing),
                PolicyHolderArn = governing?.ResourceArn,
                TenantExists = true,
                TenantRevision = tree.TenantRevision,
                Tenant = tree.Tenant,
                ForeignOwnerTenantId = foreignOwner,
                ForeignOwner = foreignOwner is null ? null : Known(foreignOwner, foreignRevision),
                ForeignOwnerRevision = foreignRevision,
            };
            tree.Resolve(index, entry);
            return entry;
        }
        catch (Exception ex)
        {
            DecisionLog.LoadFailed(logger, ex, "resource", registered.ResourceArn);
            throw;
        }
    }

    private ValueTask<ResourceSnapshot> ResourceSnapshotAsync(string resourceArn) =>
        grains.GetGrain<IResourceGrain>(GrainKeys.Resource(resourceArn)).GetSnapshot(0);

    private static RequestContext PrincipalContext(PrincipalSnapshot snapshot)
    {
        if (!snapshot.Exists)
        {
            return RequestContext.Empty;
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

        return RequestContext.Create(pairs);
    }

    private static string ResourceAccount(string arn, string? owner, string tenantId) =>
        owner ?? (Arn.TryParse(arn, out var parsed) && Arn.IsAccountId(parsed.Value.Account) ? parsed.Value.Account : tenantId);

    private static RequestContext ResourceContext(string resourceAccount, ImmutableArray<TagEntry> tags) =>
        RequestContext.Create([
            new("aws:ResourceAccount", [resourceAccount]),
            .. tags.Select(t => new KeyValuePair<string, string[]>("aws:ResourceTag/" + t.Key, [t.Value])),
        ]);

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
