using Authz.Cli.Commands.Loadtest;

namespace Authz.Cli.Tests;

public sealed class LatencyHistogramTests
{
    private static LatencyRecorder Uniform(int from, int to)
    {
        var recorder = new LatencyRecorder();
        for (var v = from; v <= to; v++)
            recorder.RecordMicroseconds(v);
        return recorder;
    }

    [Fact]
    public void Percentiles_of_a_known_distribution_are_within_the_histogram_precision()
    {
        var summary = LatencySummary.From(Uniform(1, 100_000).Total());
        Assert.Equal(100_000, summary.Count);
        // Three significant digits: each figure is within 0.1% of the exact order statistic.
        Assert.InRange(summary.P50, 50_000 * 0.999, 50_000 * 1.001);
        Assert.InRange(summary.P90, 90_000 * 0.999, 90_000 * 1.001);
        Assert.InRange(summary.P99, 99_000 * 0.999, 99_000 * 1.001);
        Assert.InRange(summary.P999, 99_900 * 0.999, 99_900 * 1.001);
        Assert.InRange(summary.Max, 100_000, 100_000 * 1.001);
        Assert.Equal(1, summary.Min);
        Assert.InRange(summary.Mean, 50_000 * 0.999, 50_000 * 1.001);
    }

    [Fact]
    public void Microsecond_values_below_one_millisecond_are_exact()
    {
        var recorder = new LatencyRecorder();
        foreach (var v in new long[] { 120, 120, 121, 850, 999 })
            recorder.RecordMicroseconds(v);
        var summary = LatencySummary.From(recorder.Total());
        Assert.Equal(120, summary.Min);
        Assert.Equal(121, summary.P50);
        Assert.Equal(999, summary.Max);
    }

    [Fact]
    public void Out_of_range_values_are_clamped_not_lost()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordMicroseconds(0);
        recorder.RecordMicroseconds(-5);
        recorder.RecordMicroseconds(LatencyRecorder.HighestTrackableMicroseconds * 10);
        var summary = LatencySummary.From(recorder.Total());
        Assert.Equal(3, summary.Count);
        Assert.Equal(0, summary.Min);
        Assert.True(summary.Max >= LatencyRecorder.HighestTrackableMicroseconds);
    }

    [Fact]
    public void Ticks_are_converted_with_the_given_frequency()
    {
        Assert.Equal(1_000, LatencyRecorder.TicksToMicroseconds(10_000_000, 10_000_000_000));
        Assert.Equal(250, LatencyRecorder.TicksToMicroseconds(250, 1_000_000));
        Assert.Equal(2, LatencyRecorder.TicksToMicroseconds(15, 10_000_000));
    }

    [Fact]
    public void Intervals_add_up_to_the_total()
    {
        var recorder = new LatencyRecorder();
        for (var i = 1; i <= 100; i++)
            recorder.RecordMicroseconds(i);
        var first = recorder.TakeInterval();
        for (var i = 1; i <= 50; i++)
            recorder.RecordMicroseconds(1_000 + i);
        var second = recorder.TakeInterval();
        Assert.Equal(100, first.TotalCount);
        Assert.Equal(50, second.TotalCount);
        Assert.Equal(150, recorder.Total().TotalCount);
    }

    [Fact]
    public void Concurrent_writers_lose_nothing()
    {
        var recorder = new LatencyRecorder();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 1; i <= 10_000; i++)
                recorder.RecordMicroseconds(i);
        });
        Assert.Equal(80_000, recorder.Total().TotalCount);
    }

    [Fact]
    public void Spectrum_rises_from_the_median_region_to_the_maximum()
    {
        var histogram = Uniform(1, 10_000).Total();
        var spectrum = LatencyDistribution.Spectrum(histogram);
        Assert.Equal(0, spectrum[0].Percentile);
        Assert.Equal(100, spectrum[^1].Percentile);
        Assert.Equal(LatencySummary.From(histogram).Max, spectrum[^1].Microseconds);
        for (var i = 1; i < spectrum.Count; i++)
        {
            Assert.True(spectrum[i].Percentile > spectrum[i - 1].Percentile);
            Assert.True(spectrum[i].Microseconds >= spectrum[i - 1].Microseconds);
        }
        var p99 = spectrum.First(p => p.Percentile >= 99);
        Assert.InRange(p99.Microseconds, 9_900 * 0.995, 9_900 * 1.01);
    }

    [Fact]
    public void Log_bins_count_every_call_once_and_cover_the_range()
    {
        var recorder = new LatencyRecorder();
        for (var i = 0; i < 900; i++)
            recorder.RecordMicroseconds(150);
        for (var i = 0; i < 90; i++)
            recorder.RecordMicroseconds(2_000);
        for (var i = 0; i < 10; i++)
            recorder.RecordMicroseconds(80_000);
        var bins = LatencyDistribution.LogBins(recorder.Total(), binsPerDecade: 10);

        Assert.Equal(1_000, bins.Sum(b => b.Count));
        Assert.True(bins[0].FromMicroseconds <= 150 && 150 < bins[0].ToMicroseconds);
        Assert.True(bins[^1].FromMicroseconds <= 80_000 && 80_000 < bins[^1].ToMicroseconds);
        Assert.Equal(900, bins[0].Count);
        Assert.Equal(90, bins.Single(b => b.FromMicroseconds <= 2_000 && 2_000 < b.ToMicroseconds).Count);
        // Contiguous: each bin starts where the previous one ends, and empty bins in between are kept (as zeros).
        for (var i = 1; i < bins.Count; i++)
            Assert.Equal(bins[i - 1].ToMicroseconds, bins[i].FromMicroseconds);
        Assert.Contains(bins, b => b.Count == 0);
    }

    [Fact]
    public void An_empty_histogram_has_empty_shapes()
    {
        var empty = new LatencyRecorder().Total();
        Assert.Equal(LatencySummary.Empty, LatencySummary.From(empty));
        Assert.Empty(LatencyDistribution.Spectrum(empty));
        Assert.Empty(LatencyDistribution.LogBins(empty));
    }
}
