using System.CommandLine;
using Authz.Cli.Commands.Loadtest;
using Authz.Client;
using Authz.Population;
using Authz.V1;

namespace Authz.Cli.Tests;

/// <summary>Whole runs of the generator against the in-process fake server: short steps, exact counts, no timing assertions.</summary>
public sealed class LoadtestRunTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"authz-loadtest-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_output))
            Directory.Delete(_output, recursive: true);
    }

    private LoadtestSettings Settings(params FakeAuthzServer[] servers) => new()
    {
        Targets = [.. servers.Select(s => AuthzTarget.Parse(s.Address))],
        Principals = 50,
        Concurrency = [1, 8],
        Warmup = TimeSpan.FromMilliseconds(100),
        Duration = TimeSpan.FromMilliseconds(300),
        Connections = 2,
        Seed = SeedMode.Always,
        OutputDirectory = _output,
    };

    private static async Task<(int ExitCode, string Output)> Run(LoadtestSettings settings)
    {
        var console = new TextConsole();
        var code = await new LoadtestRunner(settings, console.Console).RunAsync(CancellationToken.None);
        return (code, console.Output);
    }

    [Fact]
    public async Task A_closed_loop_sweep_seeds_checks_measures_and_writes_results()
    {
        // The server knows the answers for 60 principals; the first runs use 50 of them.
        await using var server = await FakeAuthzServer.StartAsync(new MlPlatformPopulation(1, 60));

        var (code, output) = await Run(Settings(server));

        Assert.Equal(LoadtestRunner.ExitOk, code);
        // Seeding: one tenant, four policies, two groups, three roles, three buckets; one CreateUser and one
        // AddUserToGroup per user (8 of every 10 principals are users).
        Assert.Equal(1, server.Admin.CallsOf("CreateTenant"));
        Assert.Equal(4, server.Admin.CallsOf("CreatePolicy"));
        Assert.Equal(3, server.Admin.CallsOf("CreateRole"));
        Assert.Equal(2, server.Admin.CallsOf("PutResourcePolicy"));
        Assert.Equal(1, server.Admin.CallsOf("PutTenantGuardrail"));
        Assert.Equal(40, server.Admin.CallsOf("CreateUser"));
        Assert.Equal(40, server.Admin.CallsOf("AddUserToGroup"));
        Assert.Contains("preflight: ", output, StringComparison.Ordinal);
        Assert.Contains("c=8", output, StringComparison.Ordinal);

        var results = LoadtestResults.Load(Path.Combine(_output, "results.json"));
        Assert.True(File.Exists(Path.Combine(_output, "report.html")));
        Assert.Equal(["c=1", "c=8"], results.Steps.Select(s => s.Label));
        Assert.All(results.Steps, step =>
        {
            Assert.True(step.Calls > 0);
            Assert.Equal(step.Calls, step.Checks);
            Assert.Empty(step.Errors);
            Assert.Equal(0, step.Mismatches);
            Assert.Equal(step.Calls, step.LatencyUs.Count);
            Assert.Equal(step.Checks, step.Decisions!.Values.Sum());
            Assert.Equal(0, step.Decisions["Unspecified"]);
            Assert.True(step.Decisions["Allow"] > 0 && step.Decisions["ExplicitDeny"] > 0 && step.Decisions["ImplicitDeny"] > 0);
            Assert.True(step.CallsPerSecond > 0);
            Assert.True(step.LatencyUs.P50 <= step.LatencyUs.P99 && step.LatencyUs.P99 <= step.LatencyUs.Max);
            Assert.NotNull(step.ClientCpuSeconds);
            Assert.Equal(100, step.Spectrum[^1].Percentile);
            Assert.Equal(step.Calls, step.Histogram.Sum(b => b.Count));
        });
        Assert.Equal("closed", results.Parameters.Mode);
        Assert.Equal("Authorize", results.Parameters.Api);
        Assert.Equal(2, results.Parameters.Connections);

        // A second run finds the tenant and does not seed again.
        var (again, secondOutput) = await Run(Settings(server) with { Seed = SeedMode.Auto, Concurrency = [2] });
        Assert.Equal(LoadtestRunner.ExitOk, again);
        Assert.True(secondOutput.Contains("exists (tenant 700000000001, user ds-000048): not seeding", StringComparison.Ordinal), secondOutput);
        Assert.Equal(40, server.Admin.CallsOf("CreateUser"));

        // A larger population over the smaller one is completed, not assumed: every user is written again (the 40
        // that exist answer ALREADY_EXISTS) and the run sees no unknown principal.
        var (larger, _) = await Run(Settings(server) with { Seed = SeedMode.Auto, Principals = 60, Concurrency = [2] });
        Assert.Equal(LoadtestRunner.ExitOk, larger);
        Assert.Equal(40 + 48, server.Admin.CallsOf("CreateUser"));
    }

    [Fact]
    public async Task Seeding_again_keeps_what_exists()
    {
        var population = new MlPlatformPopulation(2, 30);
        await using var server = await FakeAuthzServer.StartAsync(population);
        using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [AuthzTarget.Parse(server.Address)] });
        var seeder = new PopulationSeeder(client, TimeSpan.FromSeconds(5));

        var first = await seeder.SeedAsync(population, _ => { }, CancellationToken.None);
        var second = await seeder.SeedAsync(population, _ => { }, CancellationToken.None);

        Assert.Equal(2, first.Count);
        Assert.All(population.Tenants, t => Assert.True(second[t.TenantId] > first[t.TenantId]));
        // Users were created once; the second pass met ALREADY_EXISTS for each and went on.
        Assert.Equal(2 * 24, server.Admin.CallsOf("CreateUser"));
    }

    [Fact]
    public async Task Seeding_waits_out_the_servers_rate_limit_and_goes_on()
    {
        var population = new MlPlatformPopulation(1, 30);
        await using var server = await FakeAuthzServer.StartAsync(population);
        server.Admin.RateLimitedCreateUsers = 5;
        using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [AuthzTarget.Parse(server.Address)] });

        await new PopulationSeeder(client, TimeSpan.FromSeconds(5)).SeedAsync(population, _ => { }, CancellationToken.None);

        Assert.True(server.Admin.RateLimitedCreateUsers < 0);
        Assert.Equal(24, server.Admin.CallsOf("CreateUser"));
    }

    [Fact]
    public async Task A_refused_seeding_call_is_named_with_the_status_the_target_gave()
    {
        var population = new MlPlatformPopulation(1, 10);
        await using var server = await FakeAuthzServer.StartAsync(population, requiredKey: "AKIATEST.secret-secret-secret");
        using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [AuthzTarget.Parse(server.Address)] });

        var ex = await Assert.ThrowsAsync<PopulationSeedingException>(() => new PopulationSeeder(client, TimeSpan.FromSeconds(5)).SeedAsync(population, _ => { }, CancellationToken.None));

        Assert.Equal($"CreateTenant `{population.Tenants[0].TenantId}`", ex.Call);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, ex.Rpc.StatusCode);
        Assert.StartsWith($"seeding failed: CreateTenant `{population.Tenants[0].TenantId}`: Unauthenticated: missing credentials", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_calls_count_every_check()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population);

        var (code, _) = await Run(Settings(server) with { BatchSize = 25, Concurrency = [4] });

        Assert.Equal(LoadtestRunner.ExitOk, code);
        var step = LoadtestResults.Load(Path.Combine(_output, "results.json")).Steps.Single();
        Assert.Equal(step.Calls * 25, step.Checks);
        Assert.Equal(step.Checks, step.Decisions!.Values.Sum());
        Assert.Equal(0, step.Mismatches);
        Assert.Equal(25, LoadtestResults.Load(Path.Combine(_output, "results.json")).Parameters.BatchSize);
    }

    [Fact]
    public async Task An_open_loop_sends_at_the_rate_and_reports_the_uncorrected_figures_too()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population);

        var (code, _) = await Run(Settings(server) with { Rates = [200], Duration = TimeSpan.FromMilliseconds(500) });

        Assert.Equal(LoadtestRunner.ExitOk, code);
        var results = LoadtestResults.Load(Path.Combine(_output, "results.json"));
        var step = results.Steps.Single();
        Assert.Equal("open", results.Parameters.Mode);
        Assert.Equal("rate=200", step.Label);
        // 200 calls/s for 0.5 s: exactly 100 calls are scheduled, and every one is sent.
        Assert.Equal(100, step.Calls);
        Assert.Empty(step.Errors);
        Assert.NotNull(step.ServiceTimeUs);
        Assert.NotNull(step.SendLagUs);
        Assert.Equal(100, step.SendLagUs!.Count);
        // Measured from the intended send time, latency is never below the service time.
        Assert.True(step.LatencyUs.Max >= step.ServiceTimeUs!.Max);
    }

    [Fact]
    public async Task Wrong_decisions_fail_the_preflight()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population);
        server.Authorization.WrongForAction = "s3:DeleteObject";

        var ex = await Assert.ThrowsAsync<LoadtestException>(() => Run(Settings(server)));
        Assert.Contains("preflight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--skip-preflight", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_decisions_are_counted_as_mismatches()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population);
        server.Authorization.WrongForAction = "s3:DeleteObject";

        var (code, output) = await Run(Settings(server) with { SkipPreflight = true, Concurrency = [4] });

        Assert.Equal(LoadtestRunner.ExitCompletedWithErrors, code);
        var step = LoadtestResults.Load(Path.Combine(_output, "results.json")).Steps.Single();
        Assert.True(step.Mismatches > 0);
        Assert.Empty(step.Errors);
        Assert.Contains(step.MismatchExamples!, e => e.Contains("s3:DeleteObject", StringComparison.Ordinal) && e.Contains("got Allow", StringComparison.Ordinal));
        Assert.Contains("mismatch:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_calls_are_counted_by_status_code()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population);

        // Preflight first (it must pass), then every 7th call fails.
        var settings = Settings(server) with { Concurrency = [4], Warmup = TimeSpan.Zero };
        server.Authorization.FailEvery = 7;
        var (code, _) = await Run(settings with { SkipPreflight = true });

        Assert.Equal(LoadtestRunner.ExitCompletedWithErrors, code);
        var step = LoadtestResults.Load(Path.Combine(_output, "results.json")).Steps.Single();
        Assert.True(step.Errors["Unavailable"] > 0);
        Assert.Equal("silo restarting", step.ErrorExamples!["Unavailable"]);
        // Failed calls are not in the latency histogram.
        Assert.Equal(step.Calls - step.Errors["Unavailable"], step.LatencyUs.Count);
    }

    [Fact]
    public async Task Calls_are_spread_round_robin_over_a_cluster()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var first = await FakeAuthzServer.StartAsync(population);
        await using var second = await FakeAuthzServer.StartAsync(population, admin: first.Admin);

        var (code, _) = await Run(Settings(first, second) with { Concurrency = [4] });

        Assert.Equal(LoadtestRunner.ExitOk, code);
        var a = first.Authorization.Calls;
        var b = second.Authorization.Calls;
        Assert.True(a > 0 && b > 0);
        // Strict alternation: the counts differ by the few preflight checks and by at most one per connection.
        Assert.InRange(Math.Abs(a - b), 0, 64);
    }

    [Fact]
    public async Task A_server_without_the_decision_api_is_reported_clearly()
    {
        var population = new MlPlatformPopulation(1, 50);
        await using var server = await FakeAuthzServer.StartAsync(population, withAuthorization: false);

        var ex = await Assert.ThrowsAsync<LoadtestException>(() => Run(Settings(server)));
        Assert.Contains("`authz.v1.Authorization`", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_server_is_reported_clearly()
    {
        var settings = Settings() with { Targets = [AuthzTarget.Parse("127.0.0.1:1")] };
        var ex = await Assert.ThrowsAsync<LoadtestException>(() => Run(settings));
        Assert.Contains("cannot connect to `127.0.0.1:1`", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_requires_a_key_is_reported_clearly_and_served_with_one()
    {
        var population = new MlPlatformPopulation(1, 20);
        await using var server = await FakeAuthzServer.StartAsync(population, requiredKey: "AKIATEST.secret-secret-secret");

        var ex = await Assert.ThrowsAsync<LoadtestException>(() => Run(Settings(server) with { Principals = 20 }));
        Assert.Contains("Unauthenticated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--api-key or AUTHZ_API_KEY", ex.Message, StringComparison.Ordinal);

        var (code, _) = await Run(Settings(server) with { Principals = 20, Concurrency = [2], ApiKey = "AKIATEST.secret-secret-secret" });
        Assert.Equal(LoadtestRunner.ExitOk, code);
    }

    [Fact]
    public void The_key_comes_from_the_option_first()
    {
        var console = new TextConsole();
        Assert.Equal("AKIA1.s", LoadtestCommand.ResolveApiKey(" AKIA1.s ", [AuthzTarget.Parse("127.0.0.1:1")], console.Console));
    }

    [Fact]
    public async Task The_client_sends_the_api_key_as_a_bearer_token()
    {
        var population = new MlPlatformPopulation(1, 10);
        await using var server = await FakeAuthzServer.StartAsync(population);
        using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [AuthzTarget.Parse(server.Address)], ApiKey = "k-123", ConnectionsPerTarget = 3 });
        Assert.Equal(3, client.ConnectionCount);

        var check = population.Checks(population.Principal(0))[0];
        var response = await client.AuthorizeAsync(check.Request.Principal, check.Request.Action, check.Request.Resource,
            check.Request.Context.ToDictionary(kv => kv.Key, kv => kv.Value.Values[0]));

        Assert.Equal(check.Expected, response.Decision);
        Assert.Equal("Bearer k-123", Assert.Single(server.Authorization.AuthorizationHeaders));
        Assert.Equal(1UL, await client.EnsureTenantAsync("123456789012", "t"));
        Assert.Equal(1UL, await client.EnsureTenantAsync("123456789012", "t"));
    }

    [Fact]
    public async Task A_bare_seed_flag_seeds_again()
    {
        var population = new MlPlatformPopulation(1, 20);
        await using var server = await FakeAuthzServer.StartAsync(population);
        var root = new RootCommand { LoadtestCommand.Create() };
        string[] common = ["loadtest", "--target", server.Address, "--principals", "20", "--concurrency", "1", "--duration", "200ms", "--warmup", "0", "--out", _output];

        Assert.Equal(0, await root.Parse(common).InvokeAsync());
        Assert.Equal(16, server.Admin.CallsOf("CreateUser"));
        Assert.Equal(0, await root.Parse(common).InvokeAsync());
        Assert.Equal(16, server.Admin.CallsOf("CreateUser"));
        Assert.Equal(0, await root.Parse([.. common, "--seed"]).InvokeAsync());
        Assert.Equal(32, server.Admin.CallsOf("CreateUser"));
        Assert.Equal(0, await root.Parse([.. common, "--seed", "never"]).InvokeAsync());
        Assert.Equal(32, server.Admin.CallsOf("CreateUser"));
    }

    [Theory]
    [InlineData("--duration", "10x")]
    [InlineData("--concurrency", "0")]
    [InlineData("--batch", "101")]
    [InlineData("--mix", "90,20,0")]
    [InlineData("--distribution", "pareto")]
    [InlineData("--target", "nohost")]
    [InlineData("--seed", "sometimes")]
    [InlineData("--connections", "0")]
    [InlineData("--zipf-s", "0")]
    public async Task Bad_flags_exit_with_code_2(string option, string value)
    {
        var root = new RootCommand { LoadtestCommand.Create() };
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            var code = await root.Parse(["loadtest", option, value, "--out", _output]).InvokeAsync();
            Assert.Equal(LoadtestCommand.ExitUsage, code);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains($"`{value}`", error.ToString(), StringComparison.Ordinal);
    }
}
