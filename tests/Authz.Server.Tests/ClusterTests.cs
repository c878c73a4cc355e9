using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;

namespace Authz.Server.Tests;

/// <summary>
/// Runs when <c>AUTHZ_TEST_POSTGRES</c> and <c>AUTHZ_TEST_REDIS</c> are set (<c>source scripts/ci-services.sh</c>);
/// reported as skipped otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUTHZ_TEST_POSTGRES"))
            || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUTHZ_TEST_REDIS")))
        {
            Skip = "AUTHZ_TEST_POSTGRES and AUTHZ_TEST_REDIS are not set (run `source scripts/ci-services.sh`)";
        }
    }
}

/// <summary>Cluster mode: PostgreSQL storage and Redis membership, one silo in this process and one in a child process.</summary>
public sealed class ClusterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Membership timing that declares a killed silo dead in a few seconds.</summary>
    private static readonly Dictionary<string, string?> FastMembership = new()
    {
        ["Authz:Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Authz:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Authz:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Authz:Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
        ["Authz:Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
    };

    [ClusterFact]
    public async Task A_killed_silo_is_declared_dead_within_seconds_and_the_survivor_keeps_serving()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        var adminConnectionString = Environment.GetEnvironmentVariable("AUTHZ_TEST_POSTGRES")!;
        await ExecutePostgresAsync(adminConnectionString, $"CREATE SCHEMA {schema}");
        Process? child = null;
        try
        {
            var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
            Dictionary<string, string?> ClusterSettings(Ports ports, string dataDirectory)
            {
                var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
                settings["Authz:Cluster:Clustering"] = "Redis";
                settings["Authz:Cluster:RedisConnectionString"] = Environment.GetEnvironmentVariable("AUTHZ_TEST_REDIS");
                settings["Authz:Cluster:ClusterId"] = clusterId;
                settings["Authz:Cluster:ServiceId"] = clusterId;
                settings["Authz:Storage:Provider"] = "Postgres";
                settings["Authz:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(adminConnectionString) { SearchPath = schema }.ConnectionString;
                foreach (var (key, value) in FastMembership)
                {
                    settings[key] = value;
                }

                return settings;
            }

            var survivorPorts = Ports.Free();
            var survivorData = ServerHost.NewTempDirectory();
            await using var survivor = ServerHost.Build(survivorPorts, survivorData, ClusterSettings(survivorPorts, survivorData));
            await survivor.StartAsync();
            var membership = survivor.App.Services.GetRequiredService<IClusterMembershipService>();

            var victimPorts = Ports.Free();
            var victimData = ServerHost.NewTempDirectory();
            child = StartServerProcess(ClusterSettings(victimPorts, victimData));
            var victim = await WaitForAsync(membership, m => m.Status == SiloStatus.Active && m.SiloAddress.Endpoint.Port == victimPorts.Silo,
                TimeSpan.FromSeconds(60), "the second silo to become active", child);

            child.Kill(entireProcessTree: true);
            var clock = Stopwatch.StartNew();
            await WaitForAsync(membership, m => m.SiloAddress.Equals(victim.SiloAddress) && m.Status == SiloStatus.Dead,
                TimeSpan.FromSeconds(30), "the killed silo to be declared dead", process: null);
            clock.Stop();
            output.WriteLine($"killed silo declared dead after {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"declaring the killed silo dead took {clock.Elapsed}");

            using var channel = GrpcChannel.ForAddress(survivor.GrpcAddress);
            var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
        finally
        {
            if (child is { HasExited: false })
            {
                child.Kill(entireProcessTree: true);
            }

            child?.Dispose();
            NpgsqlConnection.ClearAllPools();
            await ExecutePostgresAsync(adminConnectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static Process StartServerProcess(Dictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Authz.Server.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<ClusterMember> WaitForAsync(
        IClusterMembershipService membership, Func<ClusterMember, bool> condition, TimeSpan timeout, string what, Process? process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var match = membership.CurrentSnapshot.Members.Values.FirstOrDefault(condition);
            if (match is not null)
            {
                return match;
            }

            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"the server process exited with code {process.ExitCode} while waiting for {what}");
            }

            await Task.Delay(100);
        }

        var members = string.Join(", ", membership.CurrentSnapshot.Members.Values.Select(m => $"{m.SiloAddress}={m.Status}"));
        throw new TimeoutException($"timed out after {timeout} waiting for {what}; members: {members}");
    }

    private static async Task ExecutePostgresAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
