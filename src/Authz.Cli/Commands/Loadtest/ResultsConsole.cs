using System.Globalization;
using Spectre.Console;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>The console side of a run: the progress line per second, the final table and the comparison of two runs.</summary>
public static class ResultsConsole
{
    /// <summary>A latency in microseconds as people read it: <c>850 µs</c>, <c>1.24 ms</c>, <c>2.5 s</c>.</summary>
    public static string Latency(double microseconds) => microseconds switch
    {
        < 1_000 => microseconds.ToString("0", CultureInfo.InvariantCulture) + " µs",
        < 10_000 => (microseconds / 1_000).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        < 1_000_000 => (microseconds / 1_000).ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => (microseconds / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };

    /// <summary>A rate with thousands separators: <c>52,310</c>.</summary>
    public static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "#,0" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>A ratio: <c>6.42×</c>.</summary>
    public static string Ratio(double? ratio) => ratio is { } r && double.IsFinite(r) ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    /// <summary>Prints the results table of a run.</summary>
    public static void WriteTable(IAnsiConsole console, LoadtestResults results)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(results);
        var batch = results.Parameters.BatchSize > 1;
        var open = results.Parameters.Mode == "open";
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(results.Parameters.Describe()));
        table.AddColumn("step");
        if (open)
            table.AddColumn(new TableColumn("target/s").RightAligned());
        table.AddColumn(new TableColumn("calls/s").RightAligned());
        if (batch)
            table.AddColumn(new TableColumn("checks/s").RightAligned());
        foreach (var name in new[] { "p50", "p90", "p99", "p99.9", "max" })
            table.AddColumn(new TableColumn(name).RightAligned());
        table.AddColumn(new TableColumn("errors").RightAligned());
        table.AddColumn(new TableColumn("mismatches").RightAligned());
        table.AddColumn(new TableColumn("client CPU").RightAligned());
        table.AddColumn(new TableColumn("server CPU").RightAligned());
        table.AddColumn(new TableColumn("server µs/call").RightAligned());

        foreach (var step in results.Steps)
        {
            var row = new List<string> { Markup.Escape(step.Label) };
            if (open)
                row.Add(step.TargetRate is { } rate ? Rate(rate) : "–");
            row.Add(Rate(step.CallsPerSecond));
            if (batch)
                row.Add(Rate(step.ChecksPerSecond));
            var l = step.LatencyUs;
            row.AddRange([Latency(l.P50), Latency(l.P90), Latency(l.P99), Latency(l.P999), Latency(l.Max)]);
            row.Add(step.ErrorCount == 0 ? "0" : "[red]" + Markup.Escape(string.Join(" ", step.Errors.Select(e => $"{e.Key}:{e.Value}"))) + "[/]");
            row.Add(step.Mismatches == 0 ? "0" : $"[red]{step.Mismatches}[/]");
            row.Add(Cores(step.ClientCpuSeconds, step.ElapsedSeconds));
            row.Add(Cores(step.ServerCpuSeconds, step.ElapsedSeconds));
            row.Add(step.ServerCpuMicrosecondsPerCall is { } perCall ? perCall.ToString("0.0", CultureInfo.InvariantCulture) : "–");
            table.AddRow(row.ToArray());
        }
        console.Write(table);
        console.MarkupLine("[grey]latency: HDR percentiles of successful calls{0}; CPU in cores (CPU seconds per second of the step)[/]",
            open ? ", measured from each call's intended send time (coordinated omission corrected)" : ", measured from each send");

        foreach (var step in results.Steps)
        {
            foreach (var (code, example) in step.ErrorExamples ?? new Dictionary<string, string>())
                console.MarkupLine("[red]{0}[/] {1}: {2}", Markup.Escape(step.Label), Markup.Escape(code), Markup.Escape(example));
            foreach (var example in step.MismatchExamples ?? [])
                console.MarkupLine("[red]{0}[/] mismatch: {1}", Markup.Escape(step.Label), Markup.Escape(example));
        }
    }

    private static string Cores(double? cpuSeconds, double elapsedSeconds) =>
        cpuSeconds is { } cpu && elapsedSeconds > 0 ? (cpu / elapsedSeconds).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    /// <summary>
    /// Prints two runs side by side, step by step (matched by label), with the ratio second / first for throughput and
    /// latency. Returns the number of steps compared.
    /// </summary>
    public static int WriteComparison(IAnsiConsole console, LoadtestResults first, string firstName, LoadtestResults second, string secondName)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        console.MarkupLine("[bold]A[/] = {0}: {1}", Markup.Escape(firstName), Markup.Escape(first.Parameters.Describe()));
        console.MarkupLine("[bold]B[/] = {0}: {1}", Markup.Escape(secondName), Markup.Escape(second.Parameters.Describe()));
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("step");
        foreach (var name in new[] { "calls/s A → B", "checks/s A → B", "p50 A → B", "p99 A → B", "p99.9 A → B", "errors A/B" })
            table.AddColumn(new TableColumn(name).RightAligned());

        var compared = 0;
        var byLabel = second.Steps.GroupBy(s => s.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var a in first.Steps)
        {
            var b = byLabel.Remove(a.Label, out var match) ? match : null;
            if (b is not null)
                compared++;
            table.AddRow(
                Markup.Escape(a.Label),
                Pair(a.CallsPerSecond, b?.CallsPerSecond, Rate),
                Pair(a.ChecksPerSecond, b?.ChecksPerSecond, Rate),
                Pair(a.LatencyUs.P50, b?.LatencyUs.P50, v => Latency(v)),
                Pair(a.LatencyUs.P99, b?.LatencyUs.P99, v => Latency(v)),
                Pair(a.LatencyUs.P999, b?.LatencyUs.P999, v => Latency(v)),
                $"{a.ErrorCount}/{(b is null ? "–" : b.ErrorCount.ToString(CultureInfo.InvariantCulture))}");
        }
        foreach (var b in byLabel.Values)
            table.AddRow(Markup.Escape(b.Label), "– → " + Rate(b.CallsPerSecond), "– → " + Rate(b.ChecksPerSecond), "– → " + Latency(b.LatencyUs.P50), "– → " + Latency(b.LatencyUs.P99), "– → " + Latency(b.LatencyUs.P999), $"–/{b.ErrorCount}");
        console.Write(table);
        console.MarkupLine("[grey]B/A above 1 means B is faster for calls/s and checks/s (a BatchAuthorize call carries several checks) and slower for latency[/]");
        return compared;
    }

    private static double? Divide(double numerator, double denominator) => denominator > 0 ? numerator / denominator : null;

    /// <summary><c>7,012 → 52,310  [bold]7.46×[/]</c>: both figures and the ratio B / A.</summary>
    private static string Pair(double a, double? b, Func<double, string> format) =>
        b is { } second
            ? Markup.Escape($"{format(a)} → {format(second)}") + "  [bold]" + Ratio(Divide(second, a)) + "[/]"
            : Markup.Escape(format(a) + " → –");
}
