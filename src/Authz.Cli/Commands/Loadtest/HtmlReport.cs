using System.Globalization;
using System.Net;
using System.Text;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// The self-contained <c>report.html</c> of a run: inline SVG, no script, no network. Plot 1 shows latency (p50, p99,
/// p99.9) against throughput across the steps; plot 2 the latency histogram of each step; plot 3 the percentile
/// spectrum of each step. A table repeats the figures.
/// </summary>
public static class HtmlReport
{
    private const int Width = 960;
    private const int Height = 440;
    private const int Left = 84;
    private const int Right = 180;
    private const int Top = 46;
    private const int Bottom = 58;

    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders the report.</summary>
    public static string Render(LoadtestResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var p = results.Parameters;
        var title = "authz loadtest: " + p.Describe();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:1100px}\n")
            .Append("h1{font-size:20px}h2{font-size:16px;margin-top:32px}p.note{color:#555;font-size:13px;max-width:960px}\n")
            .Append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\n")
            .Append("svg{background:#fff;border:1px solid #ddd;margin-top:8px}\n")
            .Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"note\">Started ").Append(E(results.StartedAt.ToString("u", Inv))).Append(" by ").Append(E(results.Generator))
            .Append(" on ").Append(E(results.Machine.HostName)).Append(" (").Append(results.Machine.ProcessorCount).Append(" cores")
            .Append(results.Machine.CpuModel is { } cpu ? ", " + E(cpu) : string.Empty).Append(", ").Append(E(results.Machine.Os)).Append(", ").Append(E(results.Machine.Runtime))
            .Append(results.Machine.LoadAverage is { } load ? $", load average {load.ToString("0.0", Inv)} at the start" : string.Empty).Append(").");
        if (p.Note is { Length: > 0 } note)
            html.Append(' ').Append(E(note));
        html.Append("</p>\n");

        html.Append("<h2>1. Latency against throughput</h2>\n<p class=\"note\">Each point is one step")
            .Append(p.Mode == "open" ? " (one target rate)" : " (one concurrency)")
            .Append(": its throughput on the horizontal axis and its p50, p99 and p99.9 latency on the vertical axis (log scale). ")
            .Append("Where the curves turn upward, the server is saturated: more load buys little throughput and much latency.</p>\n");
        html.Append(LatencyThroughputPlot(results));

        html.Append("<h2>2. Latency histogram per step</h2>\n<p class=\"note\">The share of successful calls in each latency bin ")
            .Append("(10 bins per factor of ten, log-scaled horizontal axis), one line per step. A second hump or a long right tail shows stalls.</p>\n");
        html.Append(HistogramPlot(results));

        html.Append("<h2>3. Percentile spectrum per step</h2>\n<p class=\"note\">The latency at each percentile, from the median to the maximum; ")
            .Append("the horizontal axis spreads the tail (90%, 99%, 99.9%, ...) evenly, as HdrHistogram plots do.")
            .Append(p.Mode == "open" ? " Latencies are measured from each call's intended send time, so a stall shows up in every call it delayed." : string.Empty)
            .Append("</p>\n");
        html.Append(SpectrumPlot(results));

        html.Append("<h2>Figures</h2>\n");
        html.Append(FiguresTable(results));
        html.Append("\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string FiguresTable(LoadtestResults results)
    {
        var batch = results.Parameters.BatchSize > 1;
        var t = new StringBuilder("<table>\n<tr><th>step</th>");
        if (results.Parameters.Mode == "open")
            t.Append("<th>target calls/s</th>");
        t.Append("<th>calls/s</th>");
        if (batch)
            t.Append("<th>checks/s</th>");
        t.Append("<th>calls</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>errors</th><th>mismatches</th><th>client CPU (cores)</th><th>server CPU (cores)</th><th>server µs/call</th></tr>\n");
        foreach (var s in results.Steps)
        {
            t.Append("<tr><td>").Append(E(s.Label)).Append("</td>");
            if (results.Parameters.Mode == "open")
                t.Append("<td>").Append(s.TargetRate is { } rate ? ResultsConsole.Rate(rate) : "–").Append("</td>");
            t.Append("<td>").Append(ResultsConsole.Rate(s.CallsPerSecond)).Append("</td>");
            if (batch)
                t.Append("<td>").Append(ResultsConsole.Rate(s.ChecksPerSecond)).Append("</td>");
            t.Append("<td>").Append(s.Calls.ToString("#,0", Inv)).Append("</td>");
            foreach (var v in new[] { s.LatencyUs.P50, s.LatencyUs.P90, s.LatencyUs.P99, s.LatencyUs.P999, s.LatencyUs.Max })
                t.Append("<td>").Append(E(ResultsConsole.Latency(v))).Append("</td>");
            t.Append("<td>").Append(s.ErrorCount == 0 ? "0" : E(string.Join(", ", s.Errors.Select(e => $"{e.Key}: {e.Value}")))).Append("</td>");
            t.Append("<td>").Append(s.Mismatches.ToString(Inv)).Append("</td>");
            t.Append("<td>").Append(Cores(s.ClientCpuSeconds, s.ElapsedSeconds)).Append("</td>");
            t.Append("<td>").Append(Cores(s.ServerCpuSeconds, s.ElapsedSeconds)).Append("</td>");
            t.Append("<td>").Append(s.ServerCpuMicrosecondsPerCall is { } c ? c.ToString("0.0", Inv) : "–").Append("</td></tr>\n");
        }
        return t.Append("</table>").ToString();
    }

    private static string Cores(double? cpu, double elapsed) => cpu is { } c && elapsed > 0 ? (c / elapsed).ToString("0.00", Inv) : "–";

    // ---- Plot 1 -------------------------------------------------------------------------------------------------

    private static string LatencyThroughputPlot(LoadtestResults results)
    {
        var steps = results.Steps.Where(s => s.LatencyUs.Count > 0).ToList();
        var svg = new Svg("Latency against throughput", results.Parameters.Describe());
        if (steps.Count == 0)
            return svg.Empty("no step completed a call");
        var xMax = NiceCeiling(steps.Max(s => s.CallsPerSecond) * 1.08);
        var (yLo, yHi) = LogRange(steps.Min(s => (double)s.LatencyUs.P50), steps.Max(s => (double)s.LatencyUs.P999));
        var x = Linear(0, xMax, Left, Width - Right);
        var y = Log(yLo, yHi, Height - Bottom, Top);
        svg.LinearXAxis(0, xMax, x, "throughput (calls/s)");
        svg.LogYAxis(yLo, yHi, y, "latency");
        var series = new (string Name, Func<StepResult, double> Value, string Color, string Dash)[]
        {
            ("p50", s => s.LatencyUs.P50, Palette[0], ""),
            ("p99", s => s.LatencyUs.P99, Palette[1], ""),
            ("p99.9", s => s.LatencyUs.P999, Palette[3], "6 3"),
        };
        var legend = 0;
        foreach (var (name, value, color, dash) in series)
        {
            svg.Polyline(steps.Select(s => (x(s.CallsPerSecond), y(value(s)))), color, dash, markers: true,
                tooltips: steps.Select(s => $"{s.Label}: {ResultsConsole.Rate(s.CallsPerSecond)} calls/s, {name} {ResultsConsole.Latency(value(s))}"));
            svg.LegendEntry(legend++, name, color, dash);
        }
        foreach (var s in steps)
            svg.Text(x(s.CallsPerSecond), y(s.LatencyUs.P999) - 8, s.Label, "middle", 11, "#444");
        return svg.ToString();
    }

    // ---- Plot 2 -------------------------------------------------------------------------------------------------

    private static string HistogramPlot(LoadtestResults results)
    {
        var steps = results.Steps.Where(s => s.Histogram.Count > 0 && s.Histogram.Sum(b => b.Count) > 0).ToList();
        var svg = new Svg("Latency histogram per step", results.Parameters.Describe());
        if (steps.Count == 0)
            return svg.Empty("no step completed a call");
        var (xLo, xHi) = LogRange(steps.Min(s => s.Histogram[0].FromMicroseconds), steps.Max(s => s.Histogram[^1].ToMicroseconds));
        var shares = steps.Select(s =>
        {
            var total = (double)s.Histogram.Sum(b => b.Count);
            return s.Histogram.Select(b => (Center: Math.Sqrt(b.FromMicroseconds * b.ToMicroseconds), Share: 100.0 * b.Count / total)).ToList();
        }).ToList();
        var yMax = NiceCeiling(shares.Max(list => list.Max(b => b.Share)) * 1.05);
        var x = Log(xLo, xHi, Left, Width - Right);
        var y = Linear(0, yMax, Height - Bottom, Top);
        svg.LogXAxis(xLo, xHi, x, "latency (log scale)");
        svg.LinearYAxis(0, yMax, y, "share of calls (%)");
        for (var i = 0; i < steps.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            svg.Polyline(shares[i].Select(b => (x(b.Center), y(b.Share))), color, "", markers: false, tooltips: null);
            svg.LegendEntry(i, steps[i].Label, color, "");
        }
        return svg.ToString();
    }

    // ---- Plot 3 -------------------------------------------------------------------------------------------------

    private const double MaxNines = 5; // the axis ends at 99.999%

    private static double Nines(double percentile) => Math.Min(MaxNines, -Math.Log10(Math.Max(1 - percentile / 100.0, Math.Pow(10, -MaxNines))));

    private static string SpectrumPlot(LoadtestResults results)
    {
        var steps = results.Steps.Where(s => s.Spectrum.Count > 0).ToList();
        var svg = new Svg("Percentile spectrum per step", results.Parameters.Describe());
        if (steps.Count == 0)
            return svg.Empty("no step completed a call");
        var (yLo, yHi) = LogRange(steps.Min(s => (double)Math.Max(1, s.Spectrum[0].Microseconds)), steps.Max(s => (double)s.Spectrum[^1].Microseconds));
        var x = Linear(0, MaxNines, Left, Width - Right);
        var y = Log(yLo, yHi, Height - Bottom, Top);
        svg.CustomXAxis([(0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")], x, "percentile");
        svg.LogYAxis(yLo, yHi, y, "latency");
        for (var i = 0; i < steps.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            // A step function: each latency holds until the next percentile point.
            var points = new List<(double, double)>();
            var spectrum = steps[i].Spectrum;
            for (var j = 0; j < spectrum.Count; j++)
            {
                var px = x(Nines(spectrum[j].Percentile));
                var py = y(Math.Max(1, spectrum[j].Microseconds));
                if (j > 0)
                    points.Add((px, points[^1].Item2));
                points.Add((px, py));
            }
            svg.Polyline(points, color, "", markers: false, tooltips: null);
            svg.LegendEntry(i, steps[i].Label, color, "");
        }
        return svg.ToString();
    }

    // ---- Scales -------------------------------------------------------------------------------------------------

    private static Func<double, double> Linear(double lo, double hi, double from, double to) =>
        v => from + (hi > lo ? (v - lo) / (hi - lo) : 0) * (to - from);

    private static Func<double, double> Log(double lo, double hi, double from, double to) =>
        v => from + (Math.Log10(Math.Max(v, lo)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * (to - from);

    /// <summary>Whole decades around [lo, hi], at least one decade wide.</summary>
    internal static (double Lo, double Hi) LogRange(double lo, double hi)
    {
        lo = Math.Max(1, lo);
        hi = Math.Max(lo, hi);
        var a = Math.Pow(10, Math.Floor(Math.Log10(lo)));
        var b = Math.Pow(10, Math.Ceiling(Math.Log10(hi)));
        if (b <= a)
            b = a * 10;
        return (a, b);
    }

    /// <summary>A round axis end at or above <paramref name="value"/>: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k.</summary>
    internal static double NiceCeiling(double value)
    {
        if (!(value > 0))
            return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var m in new[] { 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0 })
            if (m * magnitude >= value * (1 - 1e-9))
                return m * magnitude;
        return 10 * magnitude;
    }

    /// <summary>The smallest 1, 2 or 5 × 10^k at or above <paramref name="value"/>: a tick spacing.</summary>
    internal static double NiceStep(double value)
    {
        if (!(value > 0))
            return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var m in new[] { 1.0, 2.0, 5.0 })
            if (m * magnitude >= value * (1 - 1e-9))
                return m * magnitude;
        return 10 * magnitude;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A round axis value: <c>200 µs</c>, <c>5 ms</c>, <c>1 s</c>.</summary>
    internal static string TickLatency(double microseconds) => microseconds switch
    {
        < 1_000 => microseconds.ToString("0.##", Inv) + " µs",
        < 1_000_000 => (microseconds / 1_000).ToString("0.##", Inv) + " ms",
        _ => (microseconds / 1_000_000).ToString("0.##", Inv) + " s",
    };

    private static string F(double v) => v.ToString("0.#", Inv);

    /// <summary>A small SVG writer: axes with ticks and units, lines, legend and title.</summary>
    private sealed class Svg
    {
        private readonly StringBuilder _body = new();
        private readonly string _title;
        private readonly string _subtitle;

        public Svg(string title, string subtitle)
        {
            _title = title;
            _subtitle = subtitle;
        }

        public string Empty(string message)
        {
            Text(Width / 2.0, Height / 2.0, message, "middle", 14, "#888");
            return ToString();
        }

        public void Text(double x, double y, string text, string anchor, int size, string color, string extra = "") =>
            _body.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" font-size=\"{size}\" fill=\"{color}\"{extra}>{E(text)}</text>\n");

        private void Line(double x1, double y1, double x2, double y2, string color, double width = 1, string dash = "") =>
            _body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{color}\" stroke-width=\"{width}\"{(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "")}/>\n");

        private void Frame()
        {
            Line(Left, Height - Bottom, Width - Right, Height - Bottom, "#333");
            Line(Left, Top, Left, Height - Bottom, "#333");
        }

        public void LinearXAxis(double lo, double hi, Func<double, double> x, string label)
        {
            var step = NiceStep((hi - lo) / 8);
            for (var v = lo; v <= hi + step / 1000; v += step)
            {
                Line(x(v), Top, x(v), Height - Bottom, "#eee");
                Text(x(v), Height - Bottom + 16, ResultsConsole.Rate(v), "middle", 11, "#333");
            }
            Text((Left + Width - Right) / 2.0, Height - 14, label, "middle", 12, "#222");
        }

        public void LinearYAxis(double lo, double hi, Func<double, double> y, string label)
        {
            var step = NiceStep((hi - lo) / 6);
            for (var v = lo; v <= hi + step / 1000; v += step)
            {
                Line(Left, y(v), Width - Right, y(v), "#eee");
                Text(Left - 6, y(v) + 4, v.ToString(step < 1 ? "0.0" : "0", Inv), "end", 11, "#333");
            }
            YLabel(label);
        }

        public void LogXAxis(double lo, double hi, Func<double, double> x, string label)
        {
            foreach (var (v, major) in LogTicks(lo, hi))
            {
                Line(x(v), Top, x(v), Height - Bottom, major ? "#ddd" : "#f2f2f2");
                Text(x(v), Height - Bottom + 16, TickLatency(v), "middle", major ? 11 : 9, major ? "#333" : "#888");
            }
            Text((Left + Width - Right) / 2.0, Height - 14, label, "middle", 12, "#222");
        }

        public void LogYAxis(double lo, double hi, Func<double, double> y, string label)
        {
            foreach (var (v, major) in LogTicks(lo, hi))
            {
                Line(Left, y(v), Width - Right, y(v), major ? "#ddd" : "#f2f2f2");
                Text(Left - 6, y(v) + 4, TickLatency(v), "end", major ? 11 : 9, major ? "#333" : "#888");
            }
            YLabel(label + " (log scale)");
        }

        public void CustomXAxis(IEnumerable<(double Value, string Label)> ticks, Func<double, double> x, string label)
        {
            foreach (var (v, text) in ticks)
            {
                Line(x(v), Top, x(v), Height - Bottom, "#eee");
                Text(x(v), Height - Bottom + 16, text, "middle", 11, "#333");
            }
            Text((Left + Width - Right) / 2.0, Height - 14, label, "middle", 12, "#222");
        }

        private void YLabel(string label) =>
            Text(18, (Top + Height - Bottom) / 2.0, label, "middle", 12, "#222", $" transform=\"rotate(-90 18 {F((Top + Height - Bottom) / 2.0)})\"");

        private static IEnumerable<(double Value, bool Major)> LogTicks(double lo, double hi)
        {
            for (var decade = lo; decade < hi * 1.0001; decade *= 10)
            {
                yield return (decade, true);
                foreach (var m in new[] { 2.0, 5.0 })
                    if (decade * m < hi * 0.9999)
                        yield return (decade * m, false);
            }
        }

        public void Polyline(IEnumerable<(double X, double Y)> points, string color, string dash, bool markers, IEnumerable<string>? tooltips)
        {
            var list = points.ToList();
            if (list.Count == 0)
                return;
            _body.Append("<polyline fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"2\"")
                .Append(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : string.Empty).Append(" points=\"")
                .AppendJoin(' ', list.Select(p => F(p.X) + "," + F(p.Y))).Append("\"/>\n");
            if (!markers)
                return;
            var tips = tooltips?.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                _body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(list[i].X)}\" cy=\"{F(list[i].Y)}\" r=\"3.5\" fill=\"{color}\">");
                if (tips is not null && i < tips.Count)
                    _body.Append("<title>").Append(E(tips[i])).Append("</title>");
                _body.Append("</circle>\n");
            }
        }

        public void LegendEntry(int index, string label, string color, string dash)
        {
            var y = Top + 10 + index * 20;
            var x = Width - Right + 16;
            Line(x, y, x + 28, y, color, 2.5, dash);
            Text(x + 36, y + 4, label, "start", 12, "#222");
        }

        public override string ToString()
        {
            var svg = new StringBuilder();
            svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(_title)}\" font-family=\"system-ui, sans-serif\">\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{E(_title)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"36\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{E(_subtitle)}</text>\n");
            var frame = new Svg(_title, _subtitle);
            frame.Frame();
            svg.Append(_body).Append(frame._body).Append("</svg>\n");
            return svg.ToString();
        }
    }
}
