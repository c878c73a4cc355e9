using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Authz.Grains;
using Microsoft.Extensions.Options;

namespace Authz.Server.Limits;

/// <summary>What a rate limit counts.</summary>
public enum RateLimitKind
{
    /// <summary>Authorization checks, and the action/resource pairs of simulations.</summary>
    Checks,

    /// <summary>Admin API calls.</summary>
    Admin,
}

/// <summary>Why a call was refused: the tenant's own limit and when a retry can succeed.</summary>
public readonly record struct RateLimitRefusal(string TenantId, RateLimitKind Kind, double PerSecond, int Burst, TimeSpan RetryAfter);

/// <summary>
/// Per-tenant token buckets for checks and admin calls, kept by this server (see <see cref="RateLimitOptions"/>).
/// </summary>
/// <remarks>
/// Each bucket is one 64-bit "theoretical arrival time" (the generic cell rate algorithm, an exact token bucket): taking
/// tokens is a read and a compare-and-swap, with no lock and no allocation, so it costs nanoseconds on the check path.
/// The bucket is full when that time is not in the future; a full bucket is indistinguishable from a new one, so when
/// the map holds <see cref="RateLimitOptions.MaxTenants"/> tenants (or once a minute when a new tenant arrives) full
/// buckets are dropped without changing any answer. A call that costs more than the burst (a large batch or simulation)
/// is admitted when the bucket is full and leaves it in debt, so the long-run rate holds for every size of call.
/// </remarks>
public sealed class TenantRateLimiter
{
    /// <summary>The keyed <see cref="TimeProvider"/> the buckets read (tests put a fake one here; Orleans keeps the real one).</summary>
    public const string ClockKey = "authz.rate-limits";

    /// <summary>The meter of the limits.</summary>
    public static readonly Meter Meter = new("Authz.Limits", "1.0");

    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>("authz.rate_limit.refusals",
        description: "Calls refused by a tenant's rate limit, tagged with kind and tenant");

    private static readonly Counter<long> Untracked = Meter.CreateCounter<long>("authz.rate_limit.untracked",
        description: "Calls of tenants beyond MaxTenants, limited together by one shared bucket, tagged with kind");

    private readonly TimeProvider _clock;
    private readonly BucketTable _checks;
    private readonly BucketTable _admin;

    public TenantRateLimiter(IOptions<AuthzLimitsOptions> options, [FromKeyedServices(ClockKey)] TimeProvider clock)
    {
        var limits = options.Value.RateLimits;
        _clock = clock;
        Enabled = limits.Enabled;
        _checks = new BucketTable(RateLimitKind.Checks, limits.Checks, limits.Tenants.Where(t => t.Value?.Checks is not null)
            .ToDictionary(t => t.Key, t => t.Value.Checks!.Over(limits.Checks)), limits.MaxTenants, clock.TimestampFrequency);
        _admin = new BucketTable(RateLimitKind.Admin, limits.Admin, limits.Tenants.Where(t => t.Value?.Admin is not null)
            .ToDictionary(t => t.Key, t => t.Value.Admin!.Over(limits.Admin)), limits.MaxTenants, clock.TimestampFrequency);
    }

    /// <summary>Whether calls are limited at all (<see cref="RateLimitOptions.Enabled"/>).</summary>
    public bool Enabled { get; }

    /// <summary>How many tenants have a bucket of <paramref name="kind"/> now.</summary>
    public int TrackedTenants(RateLimitKind kind) => Table(kind).Count;

    /// <summary>
    /// Takes <paramref name="cost"/> tokens from the bucket of <paramref name="tenantId"/>; false, with the refusal,
    /// when the bucket cannot give them now. Allocates nothing unless the tenant is new or the call is refused.
    /// </summary>
    public bool TryAcquire(RateLimitKind kind, ReadOnlySpan<char> tenantId, int cost, out RateLimitRefusal refusal)
    {
        var table = Table(kind);
        var now = _clock.GetTimestamp();
        while (true)
        {
            var bucket = table.Get(tenantId, now);
            var wait = bucket.TryTake(now, cost);
            if (wait == Bucket.Admitted)
            {
                refusal = default;
                return true;
            }

            if (wait != Bucket.Gone)
            {
                var tenant = tenantId.ToString();
                Refusals.Add(1, new KeyValuePair<string, object?>("kind", table.Name), new KeyValuePair<string, object?>("tenant", tenant));
                // Whole milliseconds, rounded up: retrying after the hint always finds the tokens.
                var retry = TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait * 1000.0 / _clock.TimestampFrequency)));
                refusal = new RateLimitRefusal(tenant, kind, bucket.Limit.PerSecond, bucket.Limit.Burst, retry);
                return false;
            }

            // Dropped as full between the lookup and the take: a new bucket answers the same.
        }
    }

    /// <summary>Gives back tokens taken for a call that was then refused for another tenant's limit.</summary>
    public void Release(RateLimitKind kind, ReadOnlySpan<char> tenantId, int cost) =>
        Table(kind).Get(tenantId, _clock.GetTimestamp()).Refund(cost);

    private BucketTable Table(RateLimitKind kind) => kind == RateLimitKind.Checks ? _checks : _admin;

    /// <summary>One kind's limits in timestamp ticks.</summary>
    internal sealed class BucketLimit(double perSecond, int burst, long frequency)
    {
        public double PerSecond { get; } = perSecond;
        public int Burst { get; } = burst;

        /// <summary>Ticks per token.</summary>
        public long Interval { get; } = Math.Max(1, (long)Math.Round(frequency / perSecond));

        /// <summary>How far ahead of now the arrival time may run: the whole bucket.</summary>
        public long Tolerance => Burst * Interval;
    }

    /// <summary>One tenant's bucket: lock-free, one field.</summary>
    internal sealed class Bucket(BucketLimit limit)
    {
        public const long Admitted = 0, Gone = -1;
        private const long Evicted = long.MinValue;

        // The time at which the bucket is full again; at or before now, it is full.
        private long _fullAt;

        public BucketLimit Limit => limit;

        /// <summary><see cref="Admitted"/>; or the ticks to wait until the call would be admitted; or <see cref="Gone"/>.</summary>
        public long TryTake(long now, long cost)
        {
            var needed = Math.Min(cost, limit.Burst) * limit.Interval;
            while (true)
            {
                var fullAt = Volatile.Read(ref _fullAt);
                if (fullAt == Evicted)
                {
                    return Gone;
                }

                var start = Math.Max(fullAt, now);
                var wait = start + needed - now - limit.Tolerance;
                if (wait > 0)
                {
                    return wait;
                }

                if (Interlocked.CompareExchange(ref _fullAt, start + (cost * limit.Interval), fullAt) == fullAt)
                {
                    return Admitted;
                }
            }
        }

        public void Refund(long cost)
        {
            while (true)
            {
                var fullAt = Volatile.Read(ref _fullAt);
                if (fullAt == Evicted || Interlocked.CompareExchange(ref _fullAt, fullAt - (cost * limit.Interval), fullAt) == fullAt)
                {
                    return;
                }
            }
        }

        /// <summary>Marks a full bucket as dropped, so a racing taker looks again; false when it holds debt.</summary>
        public bool TryEvict(long now)
        {
            var fullAt = Volatile.Read(ref _fullAt);
            return fullAt <= now && fullAt != Evicted && Interlocked.CompareExchange(ref _fullAt, Evicted, fullAt) == fullAt;
        }
    }

    /// <summary>The buckets of one kind, by tenant, bounded.</summary>
    private sealed class BucketTable
    {
        private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Bucket>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
        private readonly BucketLimit _default;
        private readonly FrozenDictionary<string, BucketLimit>.AlternateLookup<ReadOnlySpan<char>> _overrides;
        private readonly Bucket _untracked;
        private readonly int _max;
        private readonly long _idleSweep;
        private readonly long _fullSweep;
        private int _count;
        private int _sweeping;
        private long _lastSweep;

        public BucketTable(RateLimitKind kind, TokenBucketOptions defaults, Dictionary<string, TokenBucketOptions> overrides, int max, long frequency)
        {
            Name = kind == RateLimitKind.Checks ? "checks" : "admin";
            _bySpan = _buckets.GetAlternateLookup<ReadOnlySpan<char>>();
            _default = new BucketLimit(defaults.PerSecond, defaults.Burst, frequency);
            _overrides = overrides.ToFrozenDictionary(o => o.Key, o => new BucketLimit(o.Value.PerSecond, o.Value.Burst, frequency), StringComparer.Ordinal)
                .GetAlternateLookup<ReadOnlySpan<char>>();
            _untracked = new Bucket(_default);
            _max = max;
            _idleSweep = frequency * 60;
            _fullSweep = frequency;
        }

        public string Name { get; }

        public int Count => Volatile.Read(ref _count);

        public Bucket Get(ReadOnlySpan<char> tenantId, long now) =>
            _bySpan.TryGetValue(tenantId, out var bucket) ? bucket : Add(tenantId, now);

        private Bucket Add(ReadOnlySpan<char> tenantId, long now)
        {
            var full = Count >= _max;
            if (now - Volatile.Read(ref _lastSweep) >= (full ? _fullSweep : _idleSweep))
            {
                Sweep(now);
            }

            if (Count >= _max)
            {
                // Every tracked tenant has been busy within its refill time: the newcomers share one bucket, at the
                // default limit, until a sweep frees room. Limited, never unlimited.
                Untracked.Add(1, new KeyValuePair<string, object?>("kind", Name));
                return _untracked;
            }

            var fresh = new Bucket(_overrides.TryGetValue(tenantId, out var limit) ? limit : _default);
            while (true)
            {
                if (_bySpan.TryAdd(tenantId, fresh))
                {
                    Interlocked.Increment(ref _count);
                    return fresh;
                }

                if (_bySpan.TryGetValue(tenantId, out var raced))
                {
                    return raced;
                }
            }
        }

        /// <summary>Drops the full buckets (one sweeper at a time).</summary>
        private void Sweep(long now)
        {
            if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
            {
                return;
            }

            try
            {
                foreach (var (tenant, bucket) in _buckets)
                {
                    if (bucket.TryEvict(now) && _buckets.TryRemove(new KeyValuePair<string, Bucket>(tenant, bucket)))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }

                Volatile.Write(ref _lastSweep, now);
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        }
    }
}
