using System.Globalization;
using Authz.Client;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>Whether the run writes the population through the Admin API first.</summary>
public enum SeedMode
{
    /// <summary>Seed when the first tenant does not exist yet.</summary>
    Auto,
    /// <summary>Always seed (idempotent: only what is missing is created).</summary>
    Always,
    /// <summary>Never seed: the target already holds the population.</summary>
    Never,
}

/// <summary>Everything a run needs, validated.</summary>
public sealed record LoadtestSettings
{
    /// <summary>The default target: the embedded server of the quick start.</summary>
    public const string DefaultTarget = "127.0.0.1:50051";

    public required IReadOnlyList<AuthzTarget> Targets { get; init; }
    public bool Tls { get; init; }
    public string? ApiKey { get; init; }
    public SeedMode Seed { get; init; } = SeedMode.Auto;
    public int Tenants { get; init; } = 1;
    public int Principals { get; init; } = 1000;
    /// <summary>Null for single <c>Authorize</c> calls; otherwise the number of checks per <c>BatchAuthorize</c> call.</summary>
    public int? BatchSize { get; init; }
    public IReadOnlyList<int> Concurrency { get; init; } = [1, 4, 16, 64, 256];
    /// <summary>Open loop when set: one step per rate (calls per second).</summary>
    public IReadOnlyList<double>? Rates { get; init; }
    public int MaxInFlight { get; init; } = 4096;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
    public int Connections { get; init; } = 4;
    public TrafficDistribution Distribution { get; init; } = TrafficDistribution.Uniform;
    public double ZipfExponent { get; init; } = 1.1;
    public RequestMix Mix { get; init; } = RequestMix.Default;
    public IReadOnlyList<int> ServerPids { get; init; } = [];
    public required string OutputDirectory { get; init; }
    public int RandomSeed { get; init; } = 1;
    public bool SkipPreflight { get; init; }
    public string? Note { get; init; }

    /// <summary>Whether the run is an open loop (fixed rates) rather than a concurrency sweep.</summary>
    public bool OpenLoop => Rates is not null;

    /// <summary>The default output directory: <c>loadtest-results/&lt;UTC timestamp&gt;/</c>.</summary>
    public static string DefaultOutputDirectory(DateTimeOffset now) =>
        Path.Combine("loadtest-results", now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    /// <summary>Parses a comma-separated list of positive integers such as <c>1,4,16,64,256</c>.</summary>
    public static bool TryParseIntList(string option, string? text, int max, out IReadOnlyList<int> values, out string? error)
    {
        values = [];
        var parsed = new List<int>();
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1 || v > max)
            {
                error = $"invalid {option} `{text}`: expected a comma-separated list of whole numbers from 1 to {max}, such as `1,4,16,64,256`";
                return false;
            }
            parsed.Add(v);
        }
        values = parsed;
        error = null;
        return true;
    }

    /// <summary>Parses a comma-separated list of positive rates such as <c>1000,5000,20000</c>.</summary>
    public static bool TryParseRateList(string? text, out IReadOnlyList<double> values, out string? error)
    {
        values = [];
        var parsed = new List<double>();
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || !(v > 0) || v > 10_000_000)
            {
                error = $"invalid --rate `{text}`: expected calls per second, or a comma-separated list of them, such as `5000` or `1000,5000,20000`";
                return false;
            }
            parsed.Add(v);
        }
        values = parsed;
        error = null;
        return true;
    }
}
