using System.Globalization;
using Authz.Client;
using Authz.Population;
using Authz.Server.Extensions;
using Authz.Testing;
using Authz.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Authz.Benchmarks;

/// <summary>
/// The real server composition (as <c>src/Authz.Server/Program.cs</c> builds it: Kestrel h2c, the Orleans silo with
/// localhost clustering, the SQLite grain storage, security, the decision path, metrics) in this process, on free
/// loopback ports with its data in a temporary directory. It is seeded through the Admin API with one tenant of the
/// population <c>authz loadtest</c> drives, and every check of that population is verified before anything is timed.
/// </summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    /// <summary>The system administrator's key the server is configured with; <see cref="Client"/> signs every call with it.</summary>
    public const string AdminKey = "AKIABENCHMARKADMIN00.benchmark-admin-secret-not-for-production";

    /// <summary>
    /// One tenant with 10 principals, one of each position of the population's pattern: six data scientists, two MLOps
    /// engineers (users in groups), a training job and an inference endpoint (role sessions). The tenant holds the four
    /// managed policies, three roles, three buckets (two with resource policies) and the guardrail.
    /// </summary>
    public static readonly MlPlatformPopulation Population = new(tenants: 1, principals: 10);

    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private BenchmarkServer(WebApplication app, string dataDirectory, int grpcPort, AuthzClient client)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        GrpcPort = grpcPort;
        Client = client;
    }

    /// <summary>The server's services (the decision service, the grain factory).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The loopback port of the gRPC endpoint.</summary>
    public int GrpcPort { get; }

    /// <summary>One HTTP/2 connection to the server, every call signed with <see cref="AdminKey"/>.</summary>
    public AuthzClient Client { get; }

    /// <summary>The tenant's revision after seeding; the verification asks for at least this.</summary>
    public ulong SeededRevision { get; private set; }

    /// <summary>The tenant's id.</summary>
    public static string TenantId => Population.Tenants[0].TenantId;

    /// <summary>The check named <paramref name="name"/> (e.g. <c>ds/read-team-dataset</c>) of principal <paramref name="index"/>.</summary>
    public static PopulationCheck Check(int index, string name) =>
        Population.Checks(Population.Principal(index)).SingleOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"principal {index} has no check `{name}`", nameof(name));

    /// <summary>Every check of every principal of the population.</summary>
    public static IEnumerable<PopulationCheck> AllChecks =>
        Enumerable.Range(0, Population.PrincipalCount).SelectMany(i => Population.Checks(Population.Principal(i)));

    /// <summary>Starts the server with <paramref name="settings"/> over the benchmark defaults, then seeds the population.</summary>
    public static async Task<BenchmarkServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var ports = LoopbackPorts.Free(3);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "authz-benchmarks", Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authz:Server:GrpcHost"] = "127.0.0.1",
            ["Authz:Server:GrpcPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Authz:Server:DataDirectory"] = dataDirectory,
            // Metrics stay on, as in production (the decision path's counters have a listener), on a free port.
            ["Authz:Server:MetricsPort"] = "0",
            ["Authz:Server:ShutdownTimeout"] = "00:00:10",
            ["Authz:Cluster:SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Authz:Cluster:GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Authz:Cluster:ServiceId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Authz:Security:BootstrapKey"] = AdminKey,
            // The per-tenant rate limits stay on, so that their cost is measured, but far above what a run reaches: one
            // tenant takes every check here, and a refusal would stop the benchmark.
            ["Authz:Limits:RateLimits:Checks:PerSecond"] = "10000000",
            ["Authz:Limits:RateLimits:Checks:Burst"] = "10000000",
            ["Authz:Limits:RateLimits:Admin:PerSecond"] = "10000000",
            ["Authz:Limits:RateLimits:Admin:Burst"] = "10000000",
            // BenchmarkDotNet reads the benchmark process's output; keep the server's to warnings.
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddAuthzServices();
        var app = builder.Build();
        app.UseAuthzMetricsEndpoint();
        app.MapAuthzGrpc();
        await app.StartAsync();

        var client = AuthzClient.Create(new AuthzClientOptions { Targets = [AuthzTarget.Parse($"127.0.0.1:{ports[0]}")], ApiKey = AdminKey });
        var server = new BenchmarkServer(app, dataDirectory, ports[0], client);
        try
        {
            var revisions = await new PopulationSeeder(client, TimeSpan.FromSeconds(60)).SeedAsync(Population, _ => { }, CancellationToken.None);
            server.SeededRevision = revisions[TenantId];
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Asks <paramref name="decide"/> every check of the population at the seeded revision, and throws unless each gets
    /// the decision the population's policies produce, so a benchmark cannot time a broken path.
    /// </summary>
    public async Task VerifyAsync(string path, Func<PopulationCheck, Task<Decision>> decide)
    {
        var problems = new List<string>();
        var checks = AllChecks.ToList();
        foreach (var check in checks)
        {
            var request = check.Request.Clone();
            request.MinRevision = SeededRevision;
            var decision = await decide(check with { Request = request });
            if (decision != check.Expected)
            {
                problems.Add($"`{check.Name}` of {check.Request.Principal}: expected {check.Expected}, got {decision}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{path}: {problems.Count} of {checks.Count} checks were not answered as the population expects:\n  "
                + string.Join("\n  ", problems));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
    }
}
