using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Authz.Storage.Tests;

/// <summary>The schema is applied once, idempotently, also when several silos start together.</summary>
public sealed class SchemaMigrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Migrations_are_recorded_once_however_often_and_concurrently_they_run(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var silos = Enumerable.Range(0, 4).Select(_ => store.NewProvider()).ToArray();

        await Task.WhenAll(silos.Select(s => Task.Run(() => s.InitializeAsync())));
        await silos[0].InitializeAsync();
        await (await store.StartProviderAsync()).InitializeAsync();

        Assert.Equal(2, await store.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(2L, Convert.ToInt64(await store.ScalarAsync("SELECT MAX(version) FROM schema_migrations"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(await store.ScalarAsync("SELECT applied_at FROM schema_migrations WHERE version = 1"));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_schema_newer_than_the_build_is_refused(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        await store.StartProviderAsync();
        await store.ExecuteAsync(backend == Backend.Sqlite
            ? "INSERT INTO schema_migrations (version, description, applied_at) VALUES (999, 'future', '2100-01-01')"
            : "INSERT INTO schema_migrations (version, description, applied_at) VALUES (999, 'future', now())");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.NewProvider().InitializeAsync());
        Assert.Contains("schema version 999, newer than the 2 this build knows", error.Message, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Without_migrations_on_startup_a_missing_schema_is_refused_and_a_current_one_accepted(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.NewProvider(o => o.ApplyMigrationsOnStartup = false).InitializeAsync());
        Assert.Contains("ApplyMigrationsOnStartup is false", error.Message, StringComparison.Ordinal);

        await store.StartProviderAsync();
        await store.NewProvider(o => o.ApplyMigrationsOnStartup = false).InitializeAsync();
    }

    [Fact]
    public async Task Sqlite_runs_in_wal_mode_with_full_synchronous_writes()
    {
        await using var store = await TestStore.CreateAsync(Backend.Sqlite);
        await store.StartProviderAsync();

        Assert.Equal("wal", await store.ScalarAsync("PRAGMA journal_mode"));

        // synchronous is per connection: check one the storage itself opens.
        var dialect = new Dialects.SqliteDialect(store.CreateOptions());
        await using (dialect)
        {
            await using var connection = await dialect.OpenConnectionAsync(CancellationToken.None);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(2L, await command.ExecuteScalarAsync()); // 2 = FULL
        }
    }

    [Fact]
    public async Task Sqlite_creates_the_directory_of_its_file()
    {
        await using var store = await TestStore.CreateAsync(Backend.Sqlite);
        Assert.False(Directory.Exists(Path.GetDirectoryName(store.SqlitePath)));

        await store.StartProviderAsync();

        Assert.True(File.Exists(store.SqlitePath));
    }

    [Fact]
    public void Invalid_options_fail_with_the_configuration_key_to_fix()
    {
        var postgresWithoutConnection = new AuthzStorageOptions { Provider = StorageProviderKind.Postgres };
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => new AuthzGrainStorage("x", postgresWithoutConnection, "svc", NullLogger<AuthzGrainStorage>.Instance));
        Assert.Contains("Authz:Storage:ConnectionString is required when Authz:Storage:Provider is Postgres", error.Message, StringComparison.Ordinal);

        var badTimeout = new AuthzStorageOptions { CommandTimeout = TimeSpan.Zero };
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => new AuthzGrainStorage("x", badTimeout, "svc", NullLogger<AuthzGrainStorage>.Instance));
    }

    [Fact]
    public async Task A_sqlite_file_that_cannot_be_opened_fails_initialization_with_its_path()
    {
        var blocker = Path.Combine(Path.GetTempPath(), "authz-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "a file where a directory should be");
        try
        {
            var options = new AuthzStorageOptions { SqlitePath = Path.Combine(blocker, "authz.db") };
            await using var storage = new AuthzGrainStorage("x", options, "svc", NullLogger<AuthzGrainStorage>.Instance);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => storage.InitializeAsync());
            Assert.True(error is IOException or SqliteException, error.ToString());
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
