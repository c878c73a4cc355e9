using System.Text.RegularExpressions;
using System.Xml.Linq;
using Authz.Cli.Commands.Loadtest;

namespace Authz.Cli.Tests;

public sealed partial class ReportTests
{
    /// <summary>A run of three closed-loop steps with made-up but self-consistent figures.</summary>
    internal static LoadtestResults SampleResults(string mode = "closed", int batch = 1, double speed = 1.0)
    {
        var steps = new List<StepResult>();
        foreach (var (concurrency, median) in new[] { (1, 150), (16, 400), (64, 1_500) })
        {
            var recorder = new LatencyRecorder();
            for (var i = 0; i < 10_000; i++)
                recorder.RecordMicroseconds((long)(median * (0.5 + i / 10_000.0) / speed));
            for (var i = 0; i < 20; i++)
                recorder.RecordMicroseconds(median * 40);
            var histogram = recorder.Total();
            var calls = 10_020L;
            steps.Add(new StepResult(
                mode == "open" ? $"rate={concurrency * 1000}" : $"c={concurrency}",
                mode == "open" ? null : concurrency,
                mode == "open" ? concurrency * 1000 : null,
                10, calls, calls * batch, calls / 10.0 * concurrency * speed, calls * batch / 10.0 * concurrency * speed,
                LatencySummary.From(histogram), null, null,
                new Dictionary<string, long>(), null, 0, null,
                new Dictionary<string, long> { ["Allow"] = 7_000, ["ExplicitDeny"] = 1_500, ["ImplicitDeny"] = 1_520, ["Unspecified"] = 0 },
                3.5, 11.2,
                LatencyDistribution.Spectrum(histogram), LatencyDistribution.LogBins(histogram)));
        }
        return new LoadtestResults(LoadtestResults.CurrentSchemaVersion, "authz loadtest", DateTimeOffset.Parse("2025-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
            new MachineInfo("test-host", 2, "Test CPU", "Linux", ".NET 10"),
            new RunParameters(["127.0.0.1:50051"], mode, batch > 1 ? "BatchAuthorize" : "Authorize", batch, 4, 2, 10, "zipf", 1.1, 1, 1000, "70,15,15",
                mode == "open" ? null : [1, 16, 64], mode == "open" ? [1000, 16000, 64000] : null, [1234], "sample <run> & \"quotes\""),
            steps);
    }

    [Fact]
    public void Report_is_self_contained_html_with_three_well_formed_plots()
    {
        var html = HtmlReport.Render(SampleResults());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        // No network: no script, no stylesheet link, no external image or font; the only URL is the SVG namespace.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(UrlPattern().Matches(html), m => Assert.Equal("http://www.w3.org/2000/svg", m.Value));
        // User text is escaped.
        Assert.Contains("sample &lt;run&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);

        var svgs = SvgPattern().Matches(html).Select(m => XElement.Parse(m.Value)).ToList();
        Assert.Equal(3, svgs.Count);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = svgs.Select(svg => svg.Descendants(ns + "text").Select(t => t.Value).ToList()).ToList();

        // Plot 1: titles, axes with units, a legend with the three percentiles, and every step labelled.
        Assert.Contains("Latency against throughput", texts[0]);
        Assert.Contains("throughput (calls/s)", texts[0]);
        Assert.Contains("latency (log scale)", texts[0]);
        Assert.Contains(texts[0], t => t.Contains("zipf(s=1.1) over 1000 principals", StringComparison.Ordinal));
        Assert.Contains("p50", texts[0]);
        Assert.Contains("p99", texts[0]);
        Assert.Contains("p99.9", texts[0]);
        Assert.Contains("c=1", texts[0]);
        Assert.Contains("c=64", texts[0]);
        Assert.Contains(texts[0], t => t.EndsWith(" µs", StringComparison.Ordinal));
        Assert.Contains(texts[0], t => t.EndsWith(" ms", StringComparison.Ordinal));
        Assert.Equal(3, svgs[0].Descendants(ns + "polyline").Count());
        Assert.Equal(9, svgs[0].Descendants(ns + "circle").Count());

        // Plot 2: one histogram line per step, latency on a log axis, share in percent.
        Assert.Contains("Latency histogram per step", texts[1]);
        Assert.Contains("share of calls (%)", texts[1]);
        Assert.Contains("latency (log scale)", texts[1]);
        Assert.Equal(3, svgs[1].Descendants(ns + "polyline").Count());
        Assert.Contains("c=16", texts[1]);

        // Plot 3: the percentile spectrum, with the tail percentiles on the axis.
        Assert.Contains("Percentile spectrum per step", texts[2]);
        Assert.Contains("99.9%", texts[2]);
        Assert.Contains("99.999%", texts[2]);
        Assert.Equal(3, svgs[2].Descendants(ns + "polyline").Count());

        // Every plotted coordinate is inside the drawing.
        foreach (var polyline in svgs.SelectMany(s => s.Descendants(ns + "polyline")))
            foreach (var point in polyline.Attribute("points")!.Value.Split(' '))
            {
                var xy = point.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.InRange(xy[0], 0, 960);
                Assert.InRange(xy[1], 0, 440);
            }
    }

    [Fact]
    public void Report_of_a_run_without_calls_still_renders()
    {
        var empty = SampleResults() with { Steps = [] };
        var html = HtmlReport.Render(empty);
        Assert.Equal(3, SvgPattern().Matches(html).Count);
        Assert.Contains("no step completed a call", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_survive_a_json_round_trip()
    {
        var results = SampleResults(mode: "open");
        var path = Path.Combine(Path.GetTempPath(), $"authz-results-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, results.ToJson());
            var loaded = LoadtestResults.Load(path);
            Assert.Equal(results.Steps.Count, loaded.Steps.Count);
            Assert.Equal(results.Steps[1].LatencyUs, loaded.Steps[1].LatencyUs);
            Assert.Equal(results.Steps[2].Spectrum, loaded.Steps[2].Spectrum);
            Assert.Equal(results.Steps[2].Histogram, loaded.Steps[2].Histogram);
            Assert.Equal(results.Parameters.Rates, loaded.Parameters.Rates);
            Assert.Equal("open", loaded.Parameters.Mode);
            Assert.Contains("\"p999\"", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_something_else_fails_with_the_file_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"authz-not-results-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{\"hello\": 1}");
            var ex = Assert.Throws<LoadtestException>(() => LoadtestResults.Load(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Throws<LoadtestException>(() => LoadtestResults.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Table_and_comparison_show_the_figures_and_ratios()
    {
        var console = new TextConsole();
        ResultsConsole.WriteTable(console.Console, SampleResults());
        Assert.Contains("c=16", console.Output, StringComparison.Ordinal);
        Assert.Contains("p99.9", console.Output, StringComparison.Ordinal);

        var compare = new TextConsole();
        var compared = ResultsConsole.WriteComparison(compare.Console, SampleResults(), "a.json", SampleResults(speed: 2), "b.json");
        Assert.Equal(3, compared);
        // B is twice as fast: twice the calls/s, half the latency.
        Assert.Contains("2.00×", compare.Output, StringComparison.Ordinal);
        Assert.Contains("0.50×", compare.Output, StringComparison.Ordinal);

        // Single calls against batches of 100 at the same call rate: the checks/s ratio is the batch size.
        var batches = new TextConsole();
        ResultsConsole.WriteComparison(batches.Console, SampleResults(), "single.json", SampleResults(batch: 100), "batch.json");
        Assert.Contains("100.00×", batches.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(850, "850 µs")]
    [InlineData(1_240, "1.24 ms")]
    [InlineData(25_000, "25.0 ms")]
    [InlineData(2_500_000, "2.50 s")]
    public void Latencies_are_printed_with_units(double microseconds, string expected) =>
        Assert.Equal(expected, ResultsConsole.Latency(microseconds));

    [GeneratedRegex("https?://[^\"'\\s)<]+")]
    private static partial Regex UrlPattern();

    [GeneratedRegex("<svg.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgPattern();
}
