using Grpc.Health.V1;

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
    [ClusterFact]
    public async Task A_killed_silo_is_declared_dead_within_seconds_and_the_survivor_keeps_serving()
    {
        await using var cluster = await TwoSiloCluster.StartAsync(output);

        cluster.KillChild();
        var elapsed = await cluster.WaitForChildDeclaredDeadAsync();
        output.WriteLine($"killed silo declared dead after {elapsed.TotalSeconds:F1} s");
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"declaring the killed silo dead took {elapsed}");

        using var channel = cluster.Local.CreateChannel();
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
