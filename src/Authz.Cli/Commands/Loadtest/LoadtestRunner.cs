using System.Diagnostics;
using System.Globalization;
using Authz.Client;
using Authz.Population;
using Authz.V1;
using Grpc.Core;
using Spectre.Console;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// One run of <c>authz loadtest</c>: connect, seed (when asked or needed), check that the target answers the
/// population's checks as expected, then run each step (warm-up, measured window) and write the results.
/// </summary>
public sealed class LoadtestRunner(LoadtestSettings settings, IAnsiConsole console)
{
    /// <summary>Exit code when every step ran without a failed call or a wrong decision.</summary>
    public const int ExitOk = 0;
    /// <summary>Exit code when the run could not start or go on (connection, seeding, preflight).</summary>
    public const int ExitFailed = 1;
    /// <summary>Exit code when the run completed but some calls failed or some decisions were wrong.</summary>
    public const int ExitCompletedWithErrors = 3;

    /// <summary>Runs everything; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var client = AuthzClient.Create(new AuthzClientOptions
        {
            Targets = settings.Targets,
            ConnectionsPerTarget = settings.Connections,
            AllowExtraConnections = false,
            UseTls = settings.Tls,
            ApiKey = settings.ApiKey,
        });
        var population = new MlPlatformPopulation(settings.Tenants, settings.Principals);
        var workload = new Workload(population, new PrincipalSampler(settings.Distribution, settings.Principals, settings.ZipfExponent), settings.Mix);

        await ConnectAsync(client, cancellationToken).ConfigureAwait(false);
        var revisions = await SeedAsync(client, population, cancellationToken).ConfigureAwait(false);
        await PreflightAsync(client, population, revisions, cancellationToken).ConfigureAwait(false);
        var serverPids = FindServerProcesses();
        WarnAboutQueueing();

        var machine = MachineInfo.Current();
        if (machine.LoadAverage is { } load && load > machine.ProcessorCount)
            console.MarkupLine("[yellow]load average {0} on {1} cores: other processes compete for the CPU, so the figures understate the server[/]",
                load.ToString("0.0", CultureInfo.InvariantCulture), machine.ProcessorCount);

        ICallDriver driver = settings.BatchSize is { } size
            ? new BatchAuthorizeDriver(client, workload, size, settings.Timeout)
            : new AuthorizeDriver(client, workload, settings.Timeout);

        var steps = new List<StepResult>();
        var stepSettings = settings.OpenLoop
            ? settings.Rates!.Select(r => (Label: "rate=" + ResultsConsole.Rate(r).Replace(",", "", StringComparison.Ordinal), Concurrency: (int?)null, Rate: (double?)r))
            : settings.Concurrency.Select(c => (Label: "c=" + c.ToString(CultureInfo.InvariantCulture), Concurrency: (int?)c, Rate: (double?)null));
        var index = 0;
        foreach (var (label, concurrency, rate) in stepSettings)
        {
            if (cancellationToken.IsCancellationRequested)
                break;
            steps.Add(await RunStepAsync(driver, label, concurrency, rate, serverPids, settings.RandomSeed + 1000 * index++, cancellationToken).ConfigureAwait(false));
        }

        var results = new LoadtestResults(LoadtestResults.CurrentSchemaVersion, "authz loadtest", startedAt, machine, Parameters(serverPids), steps);
        console.WriteLine();
        ResultsConsole.WriteTable(console, results);
        Directory.CreateDirectory(settings.OutputDirectory);
        var json = Path.Combine(settings.OutputDirectory, "results.json");
        var html = Path.Combine(settings.OutputDirectory, "report.html");
        await File.WriteAllTextAsync(json, results.ToJson(), CancellationToken.None).ConfigureAwait(false);
        await File.WriteAllTextAsync(html, HtmlReport.Render(results), CancellationToken.None).ConfigureAwait(false);
        console.MarkupLine("results: [link]{0}[/]", Markup.Escape(Path.GetFullPath(json)));
        console.MarkupLine("report:  [link]{0}[/]", Markup.Escape(Path.GetFullPath(html)));

        if (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]interrupted: {0} of the planned steps ran[/]", steps.Count);
            return 130;
        }
        var failed = steps.Sum(s => s.ErrorCount);
        var mismatched = steps.Sum(s => s.Mismatches);
        if (failed > 0 || mismatched > 0)
        {
            console.MarkupLine("[red]completed with {0} failed calls and {1} wrong decisions[/]", failed, mismatched);
            return ExitCompletedWithErrors;
        }
        return ExitOk;
    }

    private RunParameters Parameters(IReadOnlyList<int> serverPids) => new(
        [.. settings.Targets.Select(t => t.ToString())],
        settings.OpenLoop ? "open" : "closed",
        settings.BatchSize is null ? "Authorize" : "BatchAuthorize",
        settings.BatchSize ?? 1,
        settings.Connections * settings.Targets.Count,
        settings.Warmup.TotalSeconds,
        settings.Duration.TotalSeconds,
        settings.Distribution.ToString().ToLowerInvariant(),
        settings.Distribution == TrafficDistribution.Zipf ? settings.ZipfExponent : null,
        settings.Tenants,
        settings.Principals,
        settings.Mix.ToString(),
        settings.OpenLoop ? null : settings.Concurrency,
        settings.Rates,
        serverPids.Count > 0 ? serverPids : null,
        settings.Note);

    private async Task ConnectAsync(AuthzClient client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or RpcException or System.Net.Sockets.SocketException)
        {
            if (cancellationToken.IsCancellationRequested)
                throw;
            var why = ex is OperationCanceledException ? "no connection within 10 s" : ex.Message;
            throw new LoadtestException(
                $"cannot connect to {string.Join(", ", settings.Targets.Select(t => $"`{t}`"))}: {why} (is the server running? `dotnet run -c Release --project src/Authz.Server`)");
        }
        console.MarkupLine("connected: {0} HTTP/2 connection(s) to {1}", client.ConnectionCount, Markup.Escape(string.Join(", ", settings.Targets)));
    }

    private async Task<IReadOnlyDictionary<string, ulong>> SeedAsync(AuthzClient client, MlPlatformPopulation population, CancellationToken cancellationToken)
    {
        var seed = settings.Seed;
        if (seed == SeedMode.Auto)
        {
            // The population exists when the last tenant holds the last user: a smaller population seeded earlier
            // (fewer tenants or principals) is completed.
            var lastTenant = population.Tenants[^1].TenantId;
            var lastUser = Enumerable.Range(0, population.PrincipalCount).Reverse().Select(population.Principal).FirstOrDefault(p => p.IsUser);
            try
            {
                await client.Admin.GetTenantAsync(new GetTenantRequest { TenantId = lastTenant }, deadline: DateTime.UtcNow + settings.Timeout, cancellationToken: cancellationToken);
                if (lastUser is not null)
                    await client.Admin.GetUserAsync(new GetUserRequest { TenantId = lastUser.TenantId, UserName = lastUser.Name }, deadline: DateTime.UtcNow + settings.Timeout, cancellationToken: cancellationToken);
                console.MarkupLine("the population exists (tenant [bold]{0}[/]{1}): not seeding (pass [bold]--seed[/] to write it again)",
                    lastTenant, lastUser is null ? string.Empty : $", user {Markup.Escape(lastUser.Name)}");
                return new Dictionary<string, ulong>();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                seed = SeedMode.Always;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                console.MarkupLine("[yellow]the target does not serve the Admin API: not seeding[/]");
                return new Dictionary<string, ulong>();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                throw Refused(ex, "GetTenant");
            }
            catch (RpcException ex)
            {
                throw new LoadtestException($"cannot tell whether the population exists: GetTenant/GetUser in `{lastTenant}`: {ex.StatusCode}: {ex.Status.Detail}");
            }
        }
        if (seed == SeedMode.Never)
            return new Dictionary<string, ulong>();

        console.MarkupLine("seeding an ML platform population: {0} tenant(s), {1} principals", population.TenantCount, population.PrincipalCount);
        var watch = Stopwatch.StartNew();
        IReadOnlyDictionary<string, ulong> revisions;
        try
        {
            revisions = await new PopulationSeeder(client, settings.Timeout).SeedAsync(population, message => console.MarkupLine("  {0}", Markup.Escape(message)), cancellationToken).ConfigureAwait(false);
        }
        catch (PopulationSeedingException ex)
        {
            throw ex.Rpc.StatusCode switch
            {
                StatusCode.Unimplemented => new LoadtestException($"the target does not serve the Admin API (`authz.v1.Admin`): {ex.Call}: {ex.Rpc.Status.Detail}"),
                StatusCode.Unauthenticated or StatusCode.PermissionDenied => Refused(ex.Rpc, ex.Call),
                _ => new LoadtestException(ex.Message),
            };
        }
        console.MarkupLine("seeded in {0:0.0} s; revisions: {1}", watch.Elapsed.TotalSeconds,
            Markup.Escape(string.Join(", ", revisions.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}@{r.Value}"))));
        return revisions;
    }

    /// <summary>
    /// Sends every check of the first principal of each kind once, at the seeded revision, and compares the decisions.
    /// A target that answers differently would make every figure of the run meaningless.
    /// </summary>
    private async Task PreflightAsync(AuthzClient client, MlPlatformPopulation population, IReadOnlyDictionary<string, ulong> revisions, CancellationToken cancellationToken)
    {
        var principals = Enumerable.Range(0, Math.Min(population.PrincipalCount, 10)).Select(population.Principal)
            .GroupBy(p => p.Kind).Select(g => g.First()).ToList();
        var tenantOf = principals.ToDictionary(p => p.Arn, p => p.TenantId, StringComparer.Ordinal);
        var checks = principals.SelectMany(population.Checks).ToList();
        var problems = new List<string>();
        foreach (var check in checks)
        {
            var request = check.Request.Clone();
            request.MinRevision = revisions.GetValueOrDefault(tenantOf[check.Request.Principal]);
            try
            {
                var response = await client.Authorization.AuthorizeAsync(request, deadline: DateTime.UtcNow + settings.Timeout, cancellationToken: cancellationToken);
                if (response.Decision != check.Expected)
                    problems.Add(AuthorizeDriver.DescribeMismatch(check, response));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                throw new LoadtestException($"the target does not serve the decision API (`authz.v1.Authorization`): {ex.Status.Detail}");
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                throw Refused(ex, "Authorize");
            }
            catch (RpcException ex)
            {
                problems.Add($"`{check.Name}`: {ex.StatusCode}: {ex.Status.Detail}");
            }
        }
        if (problems.Count == 0)
        {
            console.MarkupLine("preflight: {0} checks answered as expected", checks.Count);
            return;
        }
        foreach (var problem in problems)
            console.MarkupLine("[red]preflight:[/] {0}", Markup.Escape(problem));
        var message = $"preflight: {problems.Count} of {checks.Count} checks were not answered as the population expects; "
            + (settings.Seed == SeedMode.Never ? "seed the target with --seed" : "pass --seed to write the population again, or --skip-preflight to measure anyway");
        if (!settings.SkipPreflight)
            throw new LoadtestException(message);
        console.MarkupLine("[yellow]{0}[/]", Markup.Escape(message));
    }

    /// <summary>A call refused for its credentials, with what to do about it.</summary>
    internal static LoadtestException Refused(RpcException ex, string call) => new(
        $"the target refused {call}: {ex.StatusCode}: {ex.Status.Detail}; "
        + (ex.StatusCode == StatusCode.Unauthenticated
            ? $"pass an access key with --api-key or AUTHZ_API_KEY (a server started with `dotnet run --project src/Authz.Server` keeps its administrator key in {LoadtestCommand.LocalBootstrapKeyFile})"
            : "the access key may not seed or check this population; use the administrator key"));

    private List<int> FindServerProcesses()
    {
        if (settings.ServerPids.Count > 0)
        {
            foreach (var pid in settings.ServerPids.Where(pid => ProcessCpu.Of(pid) is null))
                console.MarkupLine("[yellow]server process {0} cannot be read: server CPU will not be reported[/]", pid);
            return [.. settings.ServerPids];
        }
        var pids = new List<int>();
        foreach (var target in settings.Targets)
        {
            if (!target.IsLoopback)
                continue;
            if (ProcessCpu.FindListeningProcess(target.Port) is { } pid && pid != Environment.ProcessId)
            {
                if (!pids.Contains(pid))
                    pids.Add(pid);
                console.MarkupLine("server process: pid {0} listens on port {1}", pid, target.Port);
            }
        }
        if (pids.Count == 0)
            console.MarkupLine("[grey]server CPU: not measured (no local listening process found; give --server-pid)[/]");
        return pids;
    }

    private void WarnAboutQueueing()
    {
        if (settings.OpenLoop)
            return;
        var streams = settings.Connections * settings.Targets.Count * 100;
        var highest = settings.Concurrency.Max();
        if (highest > streams)
            console.MarkupLine(
                "[yellow]concurrency {0} exceeds {1} connection(s) × 100 streams (Kestrel's default limit): calls beyond it wait in the client; raise --connections[/]",
                highest, settings.Connections * settings.Targets.Count);
    }

    private async Task<StepResult> RunStepAsync(ICallDriver driver, string label, int? concurrency, double? rate, IReadOnlyList<int> serverPids, int seed, CancellationToken cancellationToken)
    {
        if (settings.Warmup > TimeSpan.Zero)
        {
            console.MarkupLine("[grey]{0}: warm-up {1}[/]", Markup.Escape(label), DurationParser.Format(settings.Warmup));
            await RunLoadAsync(driver, concurrency, rate, settings.Warmup, new StepCounters(), seed + 500, cancellationToken).ConfigureAwait(false);
        }

        var counters = new StepCounters();
        var clientCpu = ProcessCpu.Current();
        var serverCpu = ProcessCpu.OfAll(serverPids);
        using var progress = new CancellationTokenSource();
        var reporter = ReportProgressAsync(label, counters, progress.Token);
        var timing = await RunLoadAsync(driver, concurrency, rate, settings.Duration, counters, seed, cancellationToken).ConfigureAwait(false);
        var clientCpuUsed = (ProcessCpu.Current() - clientCpu).TotalSeconds;
        var serverCpuUsed = serverCpu is { } before && ProcessCpu.OfAll(serverPids) is { } after ? (after - before).TotalSeconds : (double?)null;
        await progress.CancelAsync().ConfigureAwait(false);
        await reporter.ConfigureAwait(false);

        var latency = counters.Latency.Total();
        var elapsed = timing.Elapsed.TotalSeconds;
        return new StepResult(
            label, concurrency, rate, Math.Round(elapsed, 3),
            counters.Calls, counters.Checks,
            Math.Round((counters.Calls - counters.ErrorCount) / elapsed, 1),
            Math.Round(counters.Checks / elapsed, 1),
            LatencySummary.From(latency),
            rate is null ? null : LatencySummary.From(counters.ServiceTime.Total()),
            rate is null ? null : LatencySummary.From(counters.SendLag.Total()),
            counters.Errors,
            counters.ErrorExamples.Count > 0 ? counters.ErrorExamples : null,
            counters.Mismatches,
            counters.MismatchExamples.Count > 0 ? counters.MismatchExamples : null,
            counters.Decisions,
            Math.Round(clientCpuUsed, 3),
            serverCpuUsed is { } s ? Math.Round(s, 3) : null,
            LatencyDistribution.Spectrum(latency),
            LatencyDistribution.LogBins(latency));
    }

    private Task<StepTiming> RunLoadAsync(ICallDriver driver, int? concurrency, double? rate, TimeSpan duration, StepCounters counters, int seed, CancellationToken cancellationToken) =>
        rate is { } r
            ? OpenLoopRunner.RunAsync(driver, r, duration, settings.MaxInFlight, settings.Timeout + TimeSpan.FromSeconds(1), counters, seed, cancellationToken)
            : ClosedLoopRunner.RunAsync(driver, concurrency!.Value, duration, counters, seed, cancellationToken);

    /// <summary>One line per second: calls/s, interval p50/p99, errors and mismatches so far.</summary>
    private async Task ReportProgressAsync(string label, StepCounters counters, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        var lastCalls = 0L;
        var last = started;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                var calls = counters.Calls;
                var interval = counters.Latency.TakeInterval();
                var seconds = (double)(now - last) / Stopwatch.Frequency;
                var summary = LatencySummary.From(interval);
                console.MarkupLine("{0}  {1,5}  {2,10} calls/s  p50 {3,9}  p99 {4,9}  errors {5}  mismatches {6}",
                    Markup.Escape(label),
                    DurationParser.Format(TimeSpan.FromSeconds(Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds))),
                    ResultsConsole.Rate((calls - lastCalls) / seconds),
                    summary.Count > 0 ? ResultsConsole.Latency(summary.P50) : "–",
                    summary.Count > 0 ? ResultsConsole.Latency(summary.P99) : "–",
                    counters.ErrorCount, counters.Mismatches);
                lastCalls = calls;
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
    }
}
