using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Authz.Policy.Evaluation;

namespace Authz.Grains.Decisions;

/// <summary>Instruments of the check path, on the <c>Authz.Decisions</c> meter.</summary>
public static class DecisionMetrics
{
    /// <summary>The <c>tenant</c> tag of checks asked about a tenant that did not exist.</summary>
    public const string UnknownTenant = "unknown";

    private static readonly Decision[] Decisions = [Decision.Allow, Decision.ExplicitDeny, Decision.ImplicitDeny];
    private static readonly KnownTenant Unknown = new(UnknownTenant);
    // Every tenant record of every cache of the process, held weakly: the checks metric reads their counts.
    private static readonly ConditionalWeakTable<KnownTenant, object?> Tenants = [];

    /// <summary>
    /// Checks answered, tagged with <c>decision</c> and <c>tenant</c>. Counted on the tenant's record, which the check
    /// has at hand, and observed when metrics are collected: a tagged Counter.Add per check cost a tag-set lookup.
    /// </summary>
    public static readonly ObservableCounter<long> Checks = DecisionCache.Meter.CreateObservableCounter("authz.checks", ObserveChecks,
        description: "Authorization checks answered");

    /// <summary>Counts a check's decision for its tenant (the unknown-tenant bucket when the tenant did not exist).</summary>
    public static void Count(PreparedCheck check, Decision decision) => (check.Resource?.Tenant ?? Unknown).CountCheck(decision);

    internal static KnownTenant Track(KnownTenant tenant)
    {
        Tenants.AddOrUpdate(tenant, null);
        return tenant;
    }

    // Several silos of one process (tests) each have a record per tenant: their counts are summed per tag set.
    private static IEnumerable<Measurement<long>> ObserveChecks()
    {
        var sums = new Dictionary<(string Tenant, Decision Decision), long>();
        foreach (var (tenant, _) in Tenants.Append(new(Unknown, null)))
        {
            foreach (var decision in Decisions)
            {
                if (tenant.Checks(decision) is > 0 and var count)
                {
                    sums[(tenant.TenantId, decision)] = sums.GetValueOrDefault((tenant.TenantId, decision)) + count;
                }
            }
        }

        return sums.Select(kv => new Measurement<long>(kv.Value,
            new KeyValuePair<string, object?>("decision", kv.Key.Decision.ToString()), new KeyValuePair<string, object?>("tenant", kv.Key.Tenant)));
    }

    /// <summary>Time to answer one check inside the server, in seconds.</summary>
    public static readonly Histogram<double> Latency = DecisionCache.Meter.CreateHistogram<double>("authz.check.duration", unit: "s",
        description: "Time to answer one authorization check inside the server", tags: null,
        advice: new InstrumentAdvice<double>
        {
            // Checks take microseconds when cached and milliseconds when they load; the default buckets start at 5 s.
            HistogramBucketBoundaries = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 5],
        });

    /// <summary>
    /// Observed staleness: the time from a write's commit until this silo learns of its revision by notification (a
    /// check without <c>min_revision</c> may answer from older data until then).
    /// </summary>
    public static readonly Histogram<double> Staleness = DecisionCache.Meter.CreateHistogram<double>("authz.revision.staleness", unit: "s",
        description: "Time from a committed write until this silo learned of its revision", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Checks that could not be answered (storage or grain failure, deadline).</summary>
    public static readonly Counter<long> Failures = DecisionCache.Meter.CreateCounter<long>("authz.check.failures", description: "Checks answered with an error status");
}
