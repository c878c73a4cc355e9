using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace Authz.Storage.Tests;

/// <summary>
/// An isolated database for one test: a temporary SQLite file, or a private schema in the PostgreSQL test database.
/// Creates any number of provider instances over it, as several silos or a restarted silo would.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly List<AuthzGrainStorage> _providers = [];
    private readonly Action<AuthzStorageOptions>? _configure;
    private readonly string? _directory;
    private readonly string? _schema;
    private readonly string? _adminConnectionString;

    private TestStore(Backend backend, Action<AuthzStorageOptions>? configure)
    {
        Backend = backend;
        _configure = configure;
        if (backend == Backend.Sqlite)
        {
            _directory = Path.Combine(Path.GetTempPath(), "authz-storage-tests", Guid.NewGuid().ToString("N"));
            SqlitePath = Path.Combine(_directory, "data", "authz.db");
        }
        else
        {
            _adminConnectionString = Environment.GetEnvironmentVariable(PostgresDataAttribute.EnvironmentVariable)
                ?? throw new InvalidOperationException($"{PostgresDataAttribute.EnvironmentVariable} is not set");
            _schema = "t_" + Guid.NewGuid().ToString("N");
            PostgresConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { SearchPath = _schema }.ConnectionString;
        }
    }

    public Backend Backend { get; }

    public string ServiceId { get; } = "svc-" + Guid.NewGuid().ToString("N")[..8];

    public string? SqlitePath { get; }

    public string? PostgresConnectionString { get; }

    public static async Task<TestStore> CreateAsync(Backend backend, Action<AuthzStorageOptions>? configure = null)
    {
        var store = new TestStore(backend, configure);
        if (backend == Backend.Postgres)
        {
            await using var connection = new NpgsqlConnection(store._adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {store._schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return store;
    }

    public AuthzStorageOptions CreateOptions()
    {
        var options = new AuthzStorageOptions();
        if (Backend == Backend.Sqlite)
        {
            options.Provider = StorageProviderKind.Sqlite;
            options.SqlitePath = SqlitePath!;
        }
        else
        {
            options.Provider = StorageProviderKind.Postgres;
            options.ConnectionString = PostgresConnectionString;
        }

        _configure?.Invoke(options);
        return options;
    }

    /// <summary>A new provider instance over this database, not yet initialized.</summary>
    public AuthzGrainStorage NewProvider(Action<AuthzStorageOptions>? configure = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        var provider = new AuthzGrainStorage("test", options, ServiceId, NullLogger<AuthzGrainStorage>.Instance);
        _providers.Add(provider);
        return provider;
    }

    /// <summary>A new, initialized provider instance over this database.</summary>
    public async Task<AuthzGrainStorage> StartProviderAsync()
    {
        var provider = NewProvider();
        await provider.InitializeAsync();
        return provider;
    }

    /// <summary>Opens a plain connection to the test database, outside the provider.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = Backend == Backend.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqlitePath, Pooling = false }.ConnectionString)
            : new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static GrainId NewGrainId(string type = "counter") => GrainId.Create(type, Guid.NewGuid().ToString("N"));

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }

        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>A grain state with the shapes real Authz state has: scalars, lists, maps, enums and nullable members.</summary>
public sealed class CounterState
{
    public int Count { get; set; }

    public ulong Revision { get; set; }

    public List<string> Items { get; set; } = [];

    public Dictionary<string, string> Tags { get; set; } = [];

    public CounterMode Mode { get; set; }

    public string? Note { get; set; }
}

public enum CounterMode
{
    Off,
    Counting,
}

/// <summary>Another CLR type of the same shape: stored state must not depend on the class name.</summary>
public sealed record RenamedCounterState(int Count, ulong Revision, List<string> Items, Dictionary<string, string> Tags, CounterMode Mode, string? Note);
