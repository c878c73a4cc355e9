using System.Diagnostics;
using System.Globalization;
using Authz.Policy.Evaluation;
using Xunit.Abstractions;

namespace Authz.Grains.Tests.Decisions;

/// <summary>
/// Freshness across silos (issue 4, item 3): a write made through one silo is seen at once by checks on the other silos
/// that carry its revision as <c>min_revision</c>, and by checks without one as soon as the revision hub has told them.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class ThreeSiloFreshnessTests(ThreeSiloCluster cluster, ITestOutputHelper output)
{
    /// <summary>
    /// How long to wait for a notification before calling it lost: a guard against hanging, not a performance target
    /// (notifications take milliseconds; the figures are printed, and benchmarks/staleness.md records them). Without a
    /// notification a cached entry would live for <see cref="ThreeSiloCluster.MaxEntryAge"/> (10 minutes).
    /// </summary>
    private static readonly TimeSpan LostNotification = TimeSpan.FromSeconds(60);

    private const string Action = "s3:GetObject";

    /// <summary>
    /// Each kind of write that changes what a principal may do, made through silo 1 while the hub's notifications are
    /// held: every silo still serves its cached Allow to checks without <c>min_revision</c>, and answers the new decision
    /// to checks that carry the write's revision.
    /// </summary>
    [Theory]
    [InlineData(WriteKind.ManagedPolicyVersion)]
    [InlineData(WriteKind.ManagedPolicyVersionThroughGroup)]
    [InlineData(WriteKind.GroupMembership)]
    [InlineData(WriteKind.PermissionsBoundary)]
    [InlineData(WriteKind.Guardrail)]
    [InlineData(WriteKind.ResourcePolicy)]
    [InlineData(WriteKind.InlinePolicy)]
    public async Task A_write_through_one_silo_is_seen_at_once_by_checks_with_min_revision_on_every_silo(WriteKind kind)
    {
        var world = await World.CreateAsync(cluster.Silos[0].Grains, kind);
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(Decision.Allow, await silo.CheckAsync(world.Alice, Action, world.Object, world.Revision));
        }

        ulong written;
        using (cluster.Notifications.Hold())
        {
            written = await world.RevokeAsync(cluster.Silos[1].Grains);

            // Not told yet, each silo serves its cached answer without min_revision: the freshness below is min_revision's.
            foreach (var silo in cluster.Silos)
            {
                Assert.Equal(Decision.Allow, await silo.CheckAsync(world.Alice, Action, world.Object, minRevision: 0));
            }

            foreach (var silo in cluster.Silos)
            {
                Assert.Equal(world.Revoked, await silo.CheckAsync(world.Alice, Action, world.Object, written));
            }
        }
    }

    /// <summary>
    /// Without <c>min_revision</c>: 50 writes of every kind, each through the next silo, alternately taking the Allow
    /// away and giving it back. Once the hub has told every silo of the write's revision (no check runs meanwhile, so
    /// nothing else can tell them), every silo answers the new decision. The time from the acknowledged write until then
    /// is printed.
    /// </summary>
    [Fact]
    public async Task Without_min_revision_every_silo_answers_with_a_write_once_notified()
    {
        const int writes = 50;
        var world = await World.CreateAsync(cluster.Silos[0].Grains, WriteKind.All);
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(Decision.Allow, await silo.CheckAsync(world.Alice, Action, world.Object, world.Revision));
        }

        var staleness = new List<TimeSpan>(writes);
        var kinds = World.Toggles;
        for (var i = 0; i < writes; i++)
        {
            var through = cluster.Silos[i % cluster.Silos.Count].Grains;
            var kind = kinds[i / 2 % kinds.Length];
            var revoke = i % 2 == 0;
            var expected = revoke ? World.RevokedBy(kind) : Decision.Allow;

            var written = await (revoke ? world.RevokeAsync(through, kind) : world.RestoreAsync(through, kind));
            var acknowledged = Stopwatch.GetTimestamp();
            var write = $"write {i} ({kind}, {(revoke ? "revoke" : "restore")}, revision {written})";
            using (var lost = new CancellationTokenSource(LostNotification))
            {
                foreach (var silo in cluster.Silos)
                {
                    // There is no event for "this silo was told"; the hub's one-way call lands in the cache. The token only
                    // ends a wait for a notification that never comes; how long the wait took is not asserted.
                    while (silo.Cache.KnownRevision(world.Tenant) < written)
                    {
                        Assert.False(lost.IsCancellationRequested, $"{write}: silo {silo.Name} was never told of it");
                        await Task.Delay(1, CancellationToken.None);
                    }
                }
            }

            foreach (var silo in cluster.Silos)
            {
                Assert.True(await silo.CheckAsync(world.Alice, Action, world.Object, minRevision: 0) == expected,
                    $"{write}: silo {silo.Name} was told of it but still answers the old decision");
            }

            staleness.Add(Stopwatch.GetElapsedTime(acknowledged));
        }

        var sorted = staleness.Order().ToList();
        string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms";
        output.WriteLine($"staleness over {writes} writes, 3 silos, from the acknowledged write until every silo is told of it and answers with it:");
        output.WriteLine($"  p50 {Ms(Percentile(sorted, 0.50))}, p90 {Ms(Percentile(sorted, 0.90))}, p99 {Ms(Percentile(sorted, 0.99))}, max {Ms(sorted[^1])}, min {Ms(sorted[0])}");
        output.WriteLine($"  MaxEntryAge {ThreeSiloCluster.MaxEntryAge}");
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
