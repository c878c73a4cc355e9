using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Authz.Grains;
using Authz.Grains.Decisions;
using Authz.Policy.Evaluation;
using Authz.V1;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Decision = Authz.Policy.Evaluation.Decision;

namespace Authz.Benchmarks;

/// <summary>
/// The grain path without gRPC: a check from where <c>AuthorizationService</c> hands it over, that is
/// <see cref="DecisionService.PrepareAsync"/> (principal and resource from the silo-local cache, or loaded from their
/// grains) and then evaluation on the loaded snapshots with a reused trace, as the handler does. It runs on the real
/// silo of a <see cref="BenchmarkServer"/> in this process, with its SQLite storage. The check is a data scientist's
/// read of her team's dataset: managed policies through her group with <c>${aws:PrincipalTag/team}</c>, the
/// dataset bucket's resource policy (<c>NotIpAddress</c> deny) and the tenant guardrail; an Allow.
/// </summary>
/// <remarks>
/// BenchmarkDotNet's allocation column counts every thread of the process (<c>GC.GetTotalAllocatedBytes(precise:
/// true)</c>), so it includes the grain calls' work on Orleans' threads, and the silo's background work during the
/// measurement. Each setup counts the cache's hits and misses over a few operations and throws unless the benchmark
/// hits or misses as its name says.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[GcServer(true)] // as the server runs (the Web SDK's default)
public class GrainPath
{
    private const string Checked = "ds/read-team-dataset";
    private const string FlipTag = "benchmark-flip";

    private static readonly ImmutableArray<TagEntry>[] FlipTags =
    [
        [new TagEntry { Key = FlipTag, Value = "a" }],
        [new TagEntry { Key = FlipTag, Value = "b" }],
    ];

    private readonly EvaluationTrace _trace = new();
    private BenchmarkServer _server = null!;
    private DecisionService _decisions = null!;
    private IUserGrain _user = null!;
    private CheckInput _hit;
    private CheckInput[] _dataScientists = [];
    private int _next;
    private int _flip;

    [GlobalSetup(Target = nameof(CacheHit))]
    public async Task SetupCacheHit()
    {
        await StartAsync(settings: null);
        await ExpectLookupsAsync(nameof(CacheHit), async () => await CacheHit(), hits: 2, misses: 0);
    }

    /// <summary>
    /// The cache holds one principal (<c>Authz:Decisions:MaxPrincipals=1</c>: a load into a full cache clears it), and
    /// <see cref="CacheMiss"/> cycles through the six data scientists, so each check finds its principal evicted by the
    /// previous check's load. Their resources stay cached.
    /// </summary>
    [GlobalSetup(Target = nameof(CacheMiss))]
    public async Task SetupCacheMiss()
    {
        await StartAsync(new Dictionary<string, string?> { ["Authz:Decisions:MaxPrincipals"] = "1" });
        foreach (var _ in _dataScientists)
        {
            await CacheMiss();
        }

        await ExpectLookupsAsync(nameof(CacheMiss), async () => await CacheMiss(), hits: 1, misses: 1);
    }

    [GlobalSetup(Targets = new[] { nameof(AfterInvalidation), nameof(Write) })]
    public async Task SetupInvalidation()
    {
        await StartAsync(settings: null);
        await ExpectLookupsAsync(nameof(AfterInvalidation), AfterInvalidation, hits: 0, misses: 2);
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _server.DisposeAsync();

    /// <summary>Principal and resource served from the silo-local cache: two dictionary lookups, the context, the engine.</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask<Decision> CacheHit() => Evaluate(await _decisions.PrepareAsync(_hit, CancellationToken.None));

    /// <summary>
    /// The principal is not cached (see <see cref="SetupCacheMiss"/>): one call to its grain, which serves its built
    /// snapshot (it calls the tenant grain for the current revision), then the policy set is assembled from the silo's
    /// compiled documents. The resource is a hit.
    /// </summary>
    [Benchmark]
    public async ValueTask<Decision> CacheMiss()
    {
        _next = (_next + 1) % _dataScientists.Length;
        return Evaluate(await _decisions.PrepareAsync(_dataScientists[_next], CancellationToken.None));
    }

    /// <summary>
    /// An admin write to the checked user (a tag, alternating between two values) commits a new tenant revision, then
    /// the first check at that revision (<c>min_revision</c>): the principal's grain rebuilds its snapshot from its
    /// groups and managed policies, and the resource is reloaded. Subtract <see cref="Write"/> for the check alone.
    /// </summary>
    [Benchmark]
    public async Task<Decision> AfterInvalidation()
    {
        var revision = await Write();
        var prepared = await _decisions.PrepareAsync(_hit with { MinRevision = revision }, CancellationToken.None);
        if (prepared.Revision < revision)
        {
            throw new InvalidOperationException($"the check after the write at revision {revision} was answered at revision {prepared.Revision}");
        }

        return Evaluate(prepared);
    }

    /// <summary>The write of <see cref="AfterInvalidation"/> alone: the grain call, the SQLite commit and the revision publication.</summary>
    [Benchmark]
    public Task<ulong> Write() => _user.Tag(FlipTags[_flip ^= 1]);

    private Decision Evaluate(PreparedCheck prepared)
    {
        _trace.Reset();
        return prepared.Evaluate(_trace);
    }

    private async Task StartAsync(IReadOnlyDictionary<string, string?>? settings)
    {
        _server = await BenchmarkServer.StartAsync(settings);
        _decisions = _server.Services.GetRequiredService<DecisionService>();
        _user = _server.Services.GetRequiredService<IGrainFactory>().GetUser(BenchmarkServer.TenantId, BenchmarkServer.Population.Principal(0).Name);
        _hit = Input(BenchmarkServer.Check(0, Checked).Request);
        _dataScientists = [.. Enumerable.Range(0, BenchmarkServer.Population.PrincipalCount)
            .Where(i => BenchmarkServer.Population.Principal(i).Kind == Authz.Population.PrincipalKind.DataScientist)
            .Select(i => Input(BenchmarkServer.Check(i, Checked).Request))];
        await _server.VerifyAsync(nameof(GrainPath), async check =>
        {
            var decision = Evaluate(await _decisions.PrepareAsync(Input(check.Request), CancellationToken.None));
            return decision switch
            {
                Decision.Allow => Authz.V1.Decision.Allow,
                Decision.ExplicitDeny => Authz.V1.Decision.ExplicitDeny,
                _ => Authz.V1.Decision.ImplicitDeny,
            };
        });
    }

    /// <summary>The check as <c>AuthorizationService</c> hands it to the decision service.</summary>
    private static CheckInput Input(AuthorizeRequest request) => new(
        request.TenantId.Length == 0 ? null : request.TenantId, request.Principal, request.Action, request.Resource,
        request.Context.Count == 0 ? null : [.. request.Context.Select(kv => new KeyValuePair<string, string[]>(kv.Key, [.. kv.Value.Values]))],
        request.MinRevision);

    /// <summary>Runs <paramref name="operation"/> 10 times and throws unless each made exactly the cache lookups given.</summary>
    private static async Task ExpectLookupsAsync(string name, Func<Task> operation, int hits, int misses)
    {
        const int Operations = 10;
        // The cache's counters are observable totals: read them before and after.
        long totalHits = 0, totalMisses = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DecisionCache.Meter.Name && instrument.Name is "authz.cache.hits" or "authz.cache.misses")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "authz.cache.hits")
            {
                totalHits = value;
            }
            else
            {
                totalMisses = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        var (hitsBefore, missesBefore) = (totalHits, totalMisses);
        for (var i = 0; i < Operations; i++)
        {
            await operation();
        }

        listener.RecordObservableInstruments();
        var (seenHits, seenMisses) = (totalHits - hitsBefore, totalMisses - missesBefore);
        if (seenHits != hits * Operations || seenMisses != misses * Operations)
        {
            throw new InvalidOperationException($"{nameof(GrainPath)}.{name}: expected {hits} cache hit(s) and {misses} miss(es) per operation, "
                + $"saw {seenHits} and {seenMisses} in {Operations} operations");
        }
    }
}
