using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Authz.Grains.Tests;

/// <summary>
/// An in-process Orleans test cluster with the real Authz grain storage on a temporary SQLite file. The test cluster
/// picks free ports itself. <see cref="RestartAsync"/> stops it and starts a new one over the same file.
/// </summary>
public sealed class GrainCluster : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "authz-grain-tests", Guid.NewGuid().ToString("N"));
    private readonly string _serviceId = "grain-tests-" + Guid.NewGuid().ToString("N")[..8];

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DatabasePath => Path.Combine(_directory, "authz.db");

    /// <summary>Quota overrides for this cluster (small quotas keep quota tests short).</summary>
    public Action<AuthzQuotaOptions>? ConfigureQuotas { get; init; }

    public async Task InitializeAsync() => Cluster = await StartAsync();

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Stops every silo and starts a new cluster over the same database file.</summary>
    public async Task RestartAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Cluster = await StartAsync();
    }

    /// <summary>A fresh tenant id, so tests sharing the cluster never see each other's data.</summary>
    public static string NewTenantId() =>
        "9" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D11", CultureInfo.InvariantCulture);

    private async Task<InProcessTestCluster> StartAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAuthzGrainStorageAsDefault(storage => storage.SqlitePath = DatabasePath);
            silo.Services.AddAuthzGrains();
            if (ConfigureQuotas is { } configure)
            {
                silo.Services.Configure(configure);
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

/// <summary>One shared cluster for the grain tests.</summary>
[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainCluster>
{
    public const string Name = "grain cluster";
}
