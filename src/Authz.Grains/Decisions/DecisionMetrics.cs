using System.Diagnostics.Metrics;

namespace Authz.Grains.Decisions;

/// <summary>Instruments of the check path, on the <c>Authz.Decisions</c> meter.</summary>
public static class DecisionMetrics
{
    /// <summary>Checks answered, tagged with <c>decision</c> and <c>tenant</c>.</summary>
    public static readonly Counter<long> Checks = DecisionCache.Meter.CreateCounter<long>("authz.checks", description: "Authorization checks answered");

    /// <summary>Time to answer one check inside the server, in seconds.</summary>
    public static readonly Histogram<double> Latency = DecisionCache.Meter.CreateHistogram<double>("authz.check.duration", unit: "s",
        description: "Time to answer one authorization check inside the server", tags: null,
        advice: new InstrumentAdvice<double>
        {
            // Checks take microseconds when cached and milliseconds when they load; the default buckets start at 5 s.
            HistogramBucketBoundaries = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 5],
        });

    /// <summary>Checks that could not be answered (storage or grain failure, deadline).</summary>
    public static readonly Counter<long> Failures = DecisionCache.Meter.CreateCounter<long>("authz.check.failures", description: "Checks answered with an error status");
}
