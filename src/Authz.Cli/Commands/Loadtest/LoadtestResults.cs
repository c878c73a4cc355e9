using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// The <c>results.json</c> of one run: what ran, on what machine, and per step the throughput, latency, errors,
/// mismatches, CPU and the latency distribution. <c>authz loadtest --compare</c> reads two of these; the peer
/// script writes the same shape for h2load runs.
/// </summary>
public sealed record LoadtestResults(
    int SchemaVersion,
    string Generator,
    DateTimeOffset StartedAt,
    MachineInfo Machine,
    RunParameters Parameters,
    IReadOnlyList<StepResult> Steps)
{
    /// <summary>The version of this file's shape.</summary>
    public const int CurrentSchemaVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Serializes to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a results file; the error names the file and what is wrong with it.</summary>
    public static LoadtestResults Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LoadtestException($"cannot read `{path}`: {ex.Message}");
        }
        LoadtestResults? results;
        try
        {
            results = JsonSerializer.Deserialize<LoadtestResults>(text, Json);
        }
        catch (JsonException ex)
        {
            throw new LoadtestException($"`{path}` is not a loadtest results file: {ex.Message}");
        }
        if (results?.Steps is null || results.Parameters is null)
            throw new LoadtestException($"`{path}` is not a loadtest results file: `steps` or `parameters` is missing");
        if (results.SchemaVersion != CurrentSchemaVersion)
            throw new LoadtestException($"`{path}` has schema version {results.SchemaVersion}; this tool reads version {CurrentSchemaVersion}");
        return results;
    }
}

/// <summary>
/// The machine the generator ran on, with its one-minute load average when the run started: a load above the number
/// of cores means other processes competed for the CPU.
/// </summary>
public sealed record MachineInfo(string HostName, int ProcessorCount, string? CpuModel, string Os, string Runtime, double? LoadAverage = null)
{
    /// <summary>This machine.</summary>
    public static MachineInfo Current() => new(
        Environment.MachineName,
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ReadLoadAverage());

    /// <summary>The one-minute load average (Linux), or null.</summary>
    public static double? ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var load)
                ? load
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? ReadCpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>How a run was configured.</summary>
public sealed record RunParameters(
    IReadOnlyList<string> Targets,
    string Mode,
    string Api,
    int BatchSize,
    int Connections,
    double WarmupSeconds,
    double DurationSeconds,
    string Distribution,
    double? ZipfExponent,
    int Tenants,
    int Principals,
    string Mix,
    IReadOnlyList<int>? Concurrency,
    IReadOnlyList<double>? Rates,
    IReadOnlyList<int>? ServerPids,
    string? Note)
{
    /// <summary>One line for titles: <c>Authorize, closed loop, 4 connections, 10s per step, zipf(s=1.1) over 1000 principals</c>.</summary>
    public string Describe()
    {
        var distribution = Distribution switch
        {
            "zipf" => $"zipf(s={ZipfExponent?.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
            _ => Distribution,
        };
        var api = BatchSize > 1 ? $"{Api} ×{BatchSize}" : Api;
        var parts = new List<string>
        {
            api,
            Mode == "open" ? "open loop (latency from intended send time)" : "closed loop",
            $"{Connections} HTTP/2 connection{(Connections == 1 ? "" : "s")}",
            $"{DurationParser.Format(TimeSpan.FromSeconds(DurationSeconds))} per step",
        };
        if (Principals > 0)
            parts.Add($"{distribution} over {Principals} principals in {Tenants} tenant{(Tenants == 1 ? "" : "s")}, mix {Mix}");
        parts.Add(string.Join(", ", Targets));
        return string.Join(", ", parts);
    }
}

/// <summary>The figures of one step (one concurrency or one rate).</summary>
public sealed record StepResult(
    string Label,
    int? Concurrency,
    double? TargetRate,
    double ElapsedSeconds,
    long Calls,
    long Checks,
    double CallsPerSecond,
    double ChecksPerSecond,
    LatencySummary LatencyUs,
    LatencySummary? ServiceTimeUs,
    LatencySummary? SendLagUs,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, string>? ErrorExamples,
    long Mismatches,
    IReadOnlyList<string>? MismatchExamples,
    IReadOnlyDictionary<string, long>? Decisions,
    double? ClientCpuSeconds,
    double? ServerCpuSeconds,
    IReadOnlyList<PercentilePoint> Spectrum,
    IReadOnlyList<HistogramBin> Histogram)
{
    /// <summary>Failed calls in total.</summary>
    [JsonIgnore]
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Server CPU microseconds per call, when the server CPU was measured.</summary>
    [JsonIgnore]
    public double? ServerCpuMicrosecondsPerCall => ServerCpuSeconds is { } cpu && Calls > 0 ? cpu * 1e6 / Calls : null;
}

/// <summary>A load test that cannot go on; the message is for the user.</summary>
public sealed class LoadtestException(string message) : Exception(message);
