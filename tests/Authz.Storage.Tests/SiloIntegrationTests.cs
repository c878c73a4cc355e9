using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Authz.Storage.Tests;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<int> Get();

    Task<int> IncrementAudited(string note);
}

/// <summary>A grain persisting through <c>IPersistentState</c> on the default provider, as Authz grains do.</summary>
[GrainType("authz-test-counter")]
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    async Task<int> ICounterGrain.Increment()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    Task<int> ICounterGrain.Get() => Task.FromResult(state.State.Count);

    async Task<int> ICounterGrain.IncrementAudited(string note)
    {
        state.State.Count++;
        using var scope = StorageWriteScope.Enlist(async (tx, ct) =>
        {
            await using (var create = tx.CreateCommand("CREATE TABLE IF NOT EXISTS test_audit (service_id TEXT NOT NULL, note TEXT NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            await using var insert = tx.CreateCommand("INSERT INTO test_audit (service_id, note) VALUES (@s, @n)", ("s", tx.ServiceId), ("n", note));
            await insert.ExecuteNonQueryAsync(ct);
        });
        await state.WriteStateAsync();
        return scope.IsCommitted ? state.State.Count : -1;
    }
}

/// <summary>Configures a test silo's default storage from the host configuration, as the server does.</summary>
public sealed class AuthzStorageSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddAuthzGrainStorageAsDefault(options => options.BindConfiguration(AuthzStorageOptions.SectionName));
}

/// <summary>The provider registered in a real (in-process) silo: lifecycle, configuration binding, restart.</summary>
public sealed class SiloIntegrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Grain_state_survives_a_cluster_restart(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);

        await using (var cluster = await StartClusterAsync(store))
        {
            var grain = cluster.GrainFactory.GetGrain<ICounterGrain>("alpha");
            Assert.Equal(1, await grain.Increment());
            Assert.Equal(2, await grain.Increment());
            Assert.Equal(3, await grain.IncrementAudited("third"));
            await cluster.StopAllSilosAsync();
        }

        Assert.Equal("authz-test-counter", await store.ScalarAsync("SELECT grain_type FROM grain_state"));
        Assert.Equal(1, await store.CountAsync("SELECT COUNT(*) FROM test_audit WHERE note = 'third'"));

        await using (var cluster = await StartClusterAsync(store))
        {
            var grain = cluster.GrainFactory.GetGrain<ICounterGrain>("alpha");
            Assert.Equal(3, await grain.Get());
            Assert.Equal(4, await grain.Increment());
            await cluster.StopAllSilosAsync();
        }
    }

    private static async Task<TestCluster> StartClusterAsync(TestStore store)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Authz:Storage:Provider"] = store.Backend.ToString(),
            ["Authz:Storage:SqlitePath"] = store.SqlitePath,
            ["Authz:Storage:ConnectionString"] = store.PostgresConnectionString,
        };
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Options.ServiceId = store.ServiceId;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<AuthzStorageSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
