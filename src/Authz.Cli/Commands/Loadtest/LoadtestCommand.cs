using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Authz.Client;
using Spectre.Console;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// <c>authz loadtest</c>: seeds a target with an ML platform population and drives <c>Authorize</c> or
/// <c>BatchAuthorize</c> in a closed-loop concurrency sweep or an open loop at fixed rates; prints a table and writes
/// <c>results.json</c> and <c>report.html</c>. <c>authz loadtest --compare a.json b.json</c> compares two runs.
/// </summary>
public static class LoadtestCommand
{
    /// <summary>Exit code for bad flags.</summary>
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var target = new Option<string[]>("--target")
        {
            Description = $"Server address host:port, http://host:port (h2c) or https://host:port; repeat it (or separate with commas) to spread calls round robin over a cluster [default: {LoadtestSettings.DefaultTarget}]",
            Arity = ArgumentArity.OneOrMore,
        };
        var tls = new Option<bool>("--tls") { Description = "Use TLS for targets given as host:port" };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "Access key `<key-id>.<secret>`, sent as `authorization: Bearer <key>` with every call [env AUTHZ_API_KEY; for a loopback target, data/bootstrap.key of a server started from this directory]",
        };
        var seed = new Option<string>("--seed")
        {
            Description = "Write the population through the Admin API first: auto (when its first tenant is missing), always (also the bare flag), or never",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "auto",
        };
        var tenants = new Option<int>("--tenants") { Description = "Tenants in the population (12-digit ids from 700000000001)", DefaultValueFactory = _ => 1 };
        var principals = new Option<int>("--principals") { Description = "Principals in the population: users (data scientists, MLOps engineers) and sessions of the training and inference roles", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int?>("--batch") { Description = "Send BatchAuthorize calls of this many checks (1-100) instead of single Authorize calls" };
        var concurrency = new Option<string>("--concurrency") { Description = "Closed loop: the concurrency of each step", DefaultValueFactory = _ => "1,4,16,64,256" };
        var rate = new Option<string?>("--rate") { Description = "Open loop instead: calls per second of each step (e.g. 5000 or 1000,5000,20000); latency is measured from each call's intended send time" };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Open loop: at most this many calls in flight; later calls wait and their wait counts as latency", DefaultValueFactory = _ => 4096 };
        var warmup = new Option<string>("--warmup") { Description = "Warm-up before each step, not measured (10s, 1m, 500ms)", DefaultValueFactory = _ => "2s" };
        var duration = new Option<string>("--duration") { Description = "Measured duration of each step (10s, 1m, 1m30s)", DefaultValueFactory = _ => "10s" };
        var timeout = new Option<string>("--timeout") { Description = "Deadline of each call", DefaultValueFactory = _ => "5s" };
        var connections = new Option<int>("--connections") { Description = "HTTP/2 connections per target (each carries at most the server's stream limit, 100 in Kestrel, at once)", DefaultValueFactory = _ => 4 };
        var distribution = new Option<string>("--distribution") { Description = "How calls spread over principals: uniform, zipf, or hot (one principal gets everything)", DefaultValueFactory = _ => "uniform" };
        var zipf = new Option<double>("--zipf-s") { Description = "Exponent s of the Zipf distribution (rank k drawn with probability ∝ 1/k^s)", DefaultValueFactory = _ => 1.1 };
        var mix = new Option<string>("--mix") { Description = "Percentages of checks expected to be allow, explicit deny and implicit deny", DefaultValueFactory = _ => "70,15,15" };
        var serverPid = new Option<int[]>("--server-pid") { Description = "Server process(es) whose CPU time to report; by default the process listening on a local target's port", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Directory for results.json and report.html [default: loadtest-results/<UTC timestamp>/]" };
        var randomSeed = new Option<int>("--random-seed") { Description = "Seed of the traffic's random draws", DefaultValueFactory = _ => 1 };
        var skipPreflight = new Option<bool>("--skip-preflight") { Description = "Measure even when the target answers the preflight checks differently from the population's policies" };
        var note = new Option<string?>("--note") { Description = "Free text stored in results.json and shown in the report (e.g. the build under test)" };
        var compare = new Option<string[]>("--compare")
        {
            Description = "Print two results files side by side with ratios (second / first), instead of running",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };

        var command = new Command("loadtest", "Load-test a server's decision API with an ML platform population; write results.json and report.html")
        {
            target, tls, apiKey, seed, tenants, principals, batch, concurrency, rate, maxInFlight, warmup, duration, timeout, connections,
            distribution, zipf, mix, serverPid, output, randomSeed, skipPreflight, note, compare,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = AnsiConsole.Console;
            // Redirected output (CI logs, `| tee`) would otherwise wrap the tables at 80 columns.
            if (Console.IsOutputRedirected)
                console.Profile.Width = 200;
            if (parse.GetValue(compare) is { Length: 2 } files)
                return Compare(console, files[0], files[1]);

            var errors = new List<string>();
            var targets = new List<AuthzTarget>();
            var given = parse.GetValue(target) is { Length: > 0 } list ? list : [LoadtestSettings.DefaultTarget];
            foreach (var text in given.SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            {
                if (AuthzTarget.TryParse(text, out var t, out var error))
                    targets.Add(t);
                else
                    errors.Add("--target: " + error);
            }
            // A bare `--seed` means always.
            var seedText = parse.GetResult(seed) is { Implicit: false, Tokens.Count: 0 } ? "always" : parse.GetValue(seed);
            var seedMode = seedText?.ToLowerInvariant() switch
            {
                "auto" => SeedMode.Auto,
                "always" or "true" => SeedMode.Always,
                "never" or "false" => SeedMode.Never,
                var other => Error(errors, $"invalid --seed `{other}`: expected auto, always or never", SeedMode.Auto),
            };
            var tenantCount = Range(errors, "--tenants", parse.GetValue(tenants), 1, 1000);
            var principalCount = Range(errors, "--principals", parse.GetValue(principals), 1, 1_000_000);
            var batchSize = parse.GetValue(batch) is { } b ? Range(errors, "--batch", b, 1, BatchAuthorizeDriver.MaxBatchSize) : (int?)null;
            if (!LoadtestSettings.TryParseIntList("--concurrency", parse.GetValue(concurrency), 100_000, out var levels, out var levelError))
                errors.Add(levelError!);
            IReadOnlyList<double>? rates = null;
            if (parse.GetValue(rate) is { } rateText)
            {
                if (LoadtestSettings.TryParseRateList(rateText, out var parsedRates, out var rateError))
                    rates = parsedRates;
                else
                    errors.Add(rateError!);
                if (parse.GetResult(concurrency) is { Implicit: false })
                    errors.Add("--rate (open loop) and --concurrency (closed loop) cannot be combined");
            }
            var warmupTime = Duration(errors, "--warmup", parse.GetValue(warmup), allowZero: true);
            var durationTime = Duration(errors, "--duration", parse.GetValue(duration), allowZero: false);
            var timeoutTime = Duration(errors, "--timeout", parse.GetValue(timeout), allowZero: false);
            var distributionKind = parse.GetValue(distribution)?.ToLowerInvariant() switch
            {
                "uniform" => TrafficDistribution.Uniform,
                "zipf" => TrafficDistribution.Zipf,
                "hot" => TrafficDistribution.Hot,
                var other => Error(errors, $"invalid --distribution `{other}`: expected uniform, zipf or hot", TrafficDistribution.Uniform),
            };
            var zipfExponent = parse.GetValue(zipf);
            if (!(zipfExponent > 0 && zipfExponent <= 10))
                errors.Add($"invalid --zipf-s `{zipfExponent.ToString(CultureInfo.InvariantCulture)}`: expected a number above 0 and at most 10");
            if (!RequestMix.TryParse(parse.GetValue(mix), out var requestMix, out var mixError))
                errors.Add(mixError);
            var connectionCount = Range(errors, "--connections", parse.GetValue(connections), 1, 256);
            var inFlight = Range(errors, "--max-in-flight", parse.GetValue(maxInFlight), 1, 1_000_000);
            var pids = parse.GetValue(serverPid) ?? [];
            foreach (var pid in pids.Where(p => p < 1))
                errors.Add($"invalid --server-pid `{pid}`: expected a process id");

            if (errors.Count > 0)
            {
                foreach (var error in errors)
                    Console.Error.WriteLine("error: " + error);
                return ExitUsage;
            }

            var settings = new LoadtestSettings
            {
                Targets = targets,
                Tls = parse.GetValue(tls),
                ApiKey = ResolveApiKey(parse.GetValue(apiKey), targets, console),
                Seed = seedMode,
                Tenants = tenantCount,
                Principals = principalCount,
                BatchSize = batchSize,
                Concurrency = levels,
                Rates = rates,
                MaxInFlight = inFlight,
                Warmup = warmupTime,
                Duration = durationTime,
                Timeout = timeoutTime,
                Connections = connectionCount,
                Distribution = distributionKind,
                ZipfExponent = zipfExponent,
                Mix = requestMix ?? RequestMix.Default,
                ServerPids = pids,
                OutputDirectory = parse.GetValue(output) ?? LoadtestSettings.DefaultOutputDirectory(DateTimeOffset.UtcNow),
                RandomSeed = parse.GetValue(randomSeed),
                SkipPreflight = parse.GetValue(skipPreflight),
                Note = parse.GetValue(note),
            };
            try
            {
                return await new LoadtestRunner(settings, console).RunAsync(cancellationToken);
            }
            catch (LoadtestException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return LoadtestRunner.ExitFailed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine("interrupted");
                return 130;
            }
        });
        return command;
    }

    private static int Compare(IAnsiConsole console, string first, string second)
    {
        try
        {
            var a = LoadtestResults.Load(first);
            var b = LoadtestResults.Load(second);
            if (ResultsConsole.WriteComparison(console, a, first, b, second) == 0)
            {
                Console.Error.WriteLine($"error: `{first}` and `{second}` have no step label in common (e.g. `c=16`)");
                return LoadtestRunner.ExitFailed;
            }
            return LoadtestRunner.ExitOk;
        }
        catch (LoadtestException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return LoadtestRunner.ExitFailed;
        }
    }

    /// <summary>The file where a server started from the current directory keeps its administrator key.</summary>
    public const string LocalBootstrapKeyFile = "data/bootstrap.key";

    /// <summary>
    /// <c>--api-key</c>, else <c>AUTHZ_API_KEY</c> (as the admin commands read it), else, when every target is on this
    /// machine, the administrator key of a server started from the current directory (the embedded default).
    /// </summary>
    public static string? ResolveApiKey(string? option, IReadOnlyList<AuthzTarget> targets, IAnsiConsole console)
    {
        if (!string.IsNullOrWhiteSpace(option))
            return option.Trim();
        if (Environment.GetEnvironmentVariable("AUTHZ_API_KEY") is { Length: > 0 } env)
            return env.Trim();
        if (targets.Count > 0 && targets.All(t => t.IsLoopback) && File.Exists(LocalBootstrapKeyFile))
        {
            try
            {
                var key = File.ReadAllText(LocalBootstrapKeyFile).Trim();
                if (key.Length > 0)
                {
                    console.MarkupLine("[grey]access key: the administrator key in {0}[/]", LocalBootstrapKeyFile);
                    return key;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                console.MarkupLine("[yellow]cannot read {0}: {1}[/]", LocalBootstrapKeyFile, Markup.Escape(ex.Message));
            }
        }
        return null;
    }

    private static T Error<T>(List<string> errors, string message, T fallback)
    {
        errors.Add(message);
        return fallback;
    }

    private static int Range(List<string> errors, string option, int value, int min, int max)
    {
        if (value < min || value > max)
            errors.Add($"invalid {option} `{value}`: expected a whole number from {min} to {max}");
        return value;
    }

    private static TimeSpan Duration(List<string> errors, string option, string? text, bool allowZero)
    {
        if (!DurationParser.TryParse(text, out var value, out var error))
        {
            errors.Add($"{option}: {error}");
            return TimeSpan.Zero;
        }
        if (!allowZero && value <= TimeSpan.Zero)
            errors.Add($"invalid {option} `{text}`: must be longer than zero");
        return value;
    }
}
