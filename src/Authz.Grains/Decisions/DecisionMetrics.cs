using System.Diagnostics.Metrics;

namespace Authz.Grains.Decisions;

/// <summary>Instruments of the check path, on the <c>Authz.Decisions</c> meter.</summary>
public static class DecisionMetrics
{
    /// <summary>Checks answered, tagged with <c>decision</c> and <c>tenant</c>.</summary>
    public static readonly Counter<long> Checks = DecisionCache.Meter.CreateCounter<long>("authz.checks", description: "Authorization checks answered");

    /// <summary>Time to answer one check inside the server, in seconds.</summary>
    public static readonly Histogram<double> Latency = DecisionCache.Meter.CreateHistogram<double>("authz.check.duration", unit: "s",
        description: "Time to answer one authorization check inside the server");

    /// <summary>Checks that could not be answered (storage or grain failure, deadline).</summary>
    public static readonly Counter<long> Failures = DecisionCache.Meter.CreateCounter<long>("authz.check.failures", description: "Checks answered with an error status");
}
