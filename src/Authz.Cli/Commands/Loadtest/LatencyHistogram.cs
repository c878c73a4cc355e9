using System.Diagnostics;
using HdrHistogram;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// Latencies in whole microseconds in HDR histograms: 1 µs to 1 hour with 3 significant digits (so 1 µs resolution up
/// to 1 ms, 10 µs up to 10 ms, and so on). Recording is lock-free from any number of threads; a reader takes interval
/// histograms (for progress lines) that add up to the step's total.
/// </summary>
public sealed class LatencyRecorder
{
    /// <summary>The highest latency kept apart; longer latencies are recorded as this value.</summary>
    public const long HighestTrackableMicroseconds = 3_600_000_000;

    /// <summary>Significant decimal digits kept for every value.</summary>
    public const int SignificantDigits = 3;

    private readonly Recorder _recorder = (Recorder)HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1)
        .WithValuesUpTo(HighestTrackableMicroseconds)
        .WithPrecisionOf(SignificantDigits)
        .WithThreadSafeWrites()
        .WithThreadSafeReads()
        .Create();
    private readonly HistogramBase _total = NewHistogram();
    private readonly Lock _lock = new();

    /// <summary>An empty histogram with the recorder's range and precision.</summary>
    public static HistogramBase NewHistogram() => new LongHistogram(HighestTrackableMicroseconds, SignificantDigits);

    /// <summary>Records one latency in microseconds (clamped to 0 .. 1 hour).</summary>
    public void RecordMicroseconds(long microseconds) =>
        _recorder.RecordValue(Math.Clamp(microseconds, 0, HighestTrackableMicroseconds));

    /// <summary>Records one latency given as a difference of <see cref="Stopwatch"/> timestamps.</summary>
    public void RecordTicks(long ticks, long frequency = 0) =>
        RecordMicroseconds(TicksToMicroseconds(ticks, frequency == 0 ? Stopwatch.Frequency : frequency));

    /// <summary>Microseconds in a number of timestamp ticks, rounded to the nearest microsecond.</summary>
    public static long TicksToMicroseconds(long ticks, long frequency) =>
        (long)Math.Round(ticks * 1_000_000.0 / frequency, MidpointRounding.AwayFromZero);

    /// <summary>What was recorded since the previous call; it is also added to <see cref="Total"/>.</summary>
    public HistogramBase TakeInterval()
    {
        lock (_lock)
        {
            var interval = _recorder.GetIntervalHistogram();
            _total.Add(interval);
            return interval;
        }
    }

    /// <summary>Everything recorded so far (takes a last interval first).</summary>
    public HistogramBase Total()
    {
        lock (_lock)
        {
            _total.Add(_recorder.GetIntervalHistogram());
            return _total.Copy();
        }
    }
}

/// <summary>The usual latency figures of one histogram, in microseconds.</summary>
public sealed record LatencySummary(long Count, double Mean, long Min, long P50, long P90, long P99, long P999, long Max)
{
    /// <summary>An empty summary (no calls completed).</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads the figures from a histogram of microseconds; percentiles are the upper ends of HDR buckets.</summary>
    public static LatencySummary From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
            return Empty;
        return new LatencySummary(
            histogram.TotalCount,
            Math.Round(histogram.GetMean(), 1),
            histogram.LowestEquivalentValue(MinValue(histogram)),
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue());
    }

    private static long MinValue(HistogramBase histogram)
    {
        foreach (var value in histogram.RecordedValues())
            return value.ValueIteratedTo;
        return 0;
    }
}

/// <summary>One point of a percentile spectrum: <see cref="Percentile"/>% of calls took at most <see cref="Microseconds"/>.</summary>
public sealed record PercentilePoint(double Percentile, long Microseconds);

/// <summary>One bin of a latency histogram: <see cref="Count"/> calls took from <see cref="FromMicroseconds"/> (inclusive) to <see cref="ToMicroseconds"/> (exclusive).</summary>
public sealed record HistogramBin(double FromMicroseconds, double ToMicroseconds, long Count);

/// <summary>Shapes of a latency histogram for plots: the percentile spectrum and log-spaced bins.</summary>
public static class LatencyDistribution
{
    /// <summary>
    /// The percentile spectrum as HdrHistogram prints it (5 ticks per half distance: 0%, 10%, ..., 50%, 75%, 87.5%, ...),
    /// ending at 100% with the maximum. Points that repeat a percentile are dropped.
    /// </summary>
    public static IReadOnlyList<PercentilePoint> Spectrum(HistogramBase histogram, int ticksPerHalfDistance = 5)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var points = new List<PercentilePoint>();
        if (histogram.TotalCount == 0)
            return points;
        foreach (var value in histogram.Percentiles(ticksPerHalfDistance))
        {
            var percentile = Math.Round(value.PercentileLevelIteratedTo, 6);
            var microseconds = histogram.HighestEquivalentValue(value.ValueIteratedTo);
            if (points.Count > 0 && points[^1].Percentile >= percentile)
                continue;
            points.Add(new PercentilePoint(percentile, microseconds));
            if (percentile >= 100)
                break;
        }
        return points;
    }

    /// <summary>
    /// Counts per log-spaced bin, <paramref name="binsPerDecade"/> bins per factor of ten, from the bin holding the
    /// fastest call to the one holding the slowest. Each count is exact: recorded values are assigned to bins by
    /// their HDR bucket's middle value.
    /// </summary>
    public static IReadOnlyList<HistogramBin> LogBins(HistogramBase histogram, int binsPerDecade = 10)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfLessThan(binsPerDecade, 1);
        var bins = new List<HistogramBin>();
        if (histogram.TotalCount == 0)
            return bins;
        var counts = new SortedDictionary<int, long>();
        foreach (var value in histogram.RecordedValues())
        {
            var middle = Math.Max(1.0, histogram.MedianEquivalentValue(value.ValueIteratedTo));
            var bin = (int)Math.Floor(Math.Log10(middle) * binsPerDecade);
            counts[bin] = counts.GetValueOrDefault(bin) + value.CountAtValueIteratedTo;
        }
        var first = counts.Keys.First();
        var last = counts.Keys.Last();
        for (var bin = first; bin <= last; bin++)
            bins.Add(new HistogramBin(
                Math.Round(Math.Pow(10, (double)bin / binsPerDecade), 3),
                Math.Round(Math.Pow(10, (double)(bin + 1) / binsPerDecade), 3),
                counts.GetValueOrDefault(bin)));
        return bins;
    }
}
