using System.Data.Common;
using System.Globalization;
using Authz.Storage.Migrations;
using Microsoft.Data.Sqlite;

namespace Authz.Storage.Dialects;

/// <summary>
/// SQLite: one file, WAL journal, <c>synchronous=FULL</c> on every connection so that a committed write survives a
/// crash or power loss. One writer at a time per file.
/// </summary>
internal sealed class SqliteDialect : StorageDialect
{
    private static readonly SchemaMigration[] s_migrations =
    [
        new(1, "grain state table", """
            CREATE TABLE grain_state (
                service_id     TEXT    NOT NULL,
                grain_type     TEXT    NOT NULL,
                grain_key      TEXT    NOT NULL,
                state_name     TEXT    NOT NULL,
                version        INTEGER NOT NULL CHECK (version > 0),
                format_version INTEGER NOT NULL,
                payload        TEXT,
                updated_at     TEXT    NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, state_name)
            ) WITHOUT ROWID;
            """),
        new(2, "audit events table", """
            CREATE TABLE audit_events (
                seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                service_id      TEXT    NOT NULL,
                tenant_id       TEXT    NOT NULL,
                occurred_at     TEXT    NOT NULL,
                caller_arn      TEXT    NOT NULL,
                access_key_id   TEXT    NOT NULL,
                rpc             TEXT    NOT NULL,
                target_arn      TEXT    NOT NULL,
                request_id      TEXT    NOT NULL,
                revision_before INTEGER NOT NULL,
                revision_after  INTEGER NOT NULL
            );
            CREATE INDEX audit_events_by_tenant ON audit_events (service_id, tenant_id, seq);
            """),
    ];

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly WriteGateRelease _writeGateRelease;

    public SqliteDialect(AuthzStorageOptions options)
    {
        SqliteConnectionStringBuilder builder;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        else
        {
            builder = new SqliteConnectionStringBuilder
            {
                DataSource = Path.GetFullPath(options.SqlitePath),
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
            };
        }

        builder.DefaultTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _connectionString = builder.ConnectionString;
        Target = builder.DataSource;
        _writeGateRelease = new WriteGateRelease(_writeGate);
    }

    public override StorageProviderKind Kind => StorageProviderKind.Sqlite;

    public override string Target { get; }

    public override IReadOnlyList<SchemaMigration> Migrations => s_migrations;

    public override string CreateMigrationsTableSql => """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     INTEGER NOT NULL PRIMARY KEY,
            description TEXT    NOT NULL,
            applied_at  TEXT    NOT NULL
        );
        """;

    public override string ReadSql => """
        SELECT version, format_version, payload FROM grain_state
        WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
        """;

    public override string InsertSql => """
        INSERT INTO grain_state (service_id, grain_type, grain_key, state_name, version, format_version, payload, updated_at)
        VALUES (@service_id, @grain_type, @grain_key, @state_name, @version, @format_version, @payload, @updated_at)
        ON CONFLICT (service_id, grain_type, grain_key, state_name) DO NOTHING
        """;

    public override string UpdateSql => """
        UPDATE grain_state SET version = @version, format_version = @format_version, payload = @payload, updated_at = @updated_at
        WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
          AND version = @expected_version
        """;

    public override string TombstoneSql => """
        UPDATE grain_state SET version = @version, payload = NULL, updated_at = @updated_at
        WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
          AND version = @expected_version
        """;

    public override string DeleteSql => """
        DELETE FROM grain_state
        WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
          AND version = @expected_version
        """;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // synchronous is a per-connection setting: FULL makes every commit fsync the WAL before it returns.
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE takes the write lock at once, so two writers never deadlock upgrading a read lock.
        DbTransaction transaction = ((SqliteConnection)connection).BeginTransaction(deferred: false);
        return ValueTask.FromResult(transaction);
    }

    public override async Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"sqlite database `{Target}` refused the WAL journal (journal_mode is `{mode}`); " +
                "Authz needs a file-backed database on a local file system");
        }
    }

    // BEGIN IMMEDIATE in the migration transaction already excludes every other writer, in this process or another.
    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public override async ValueTask<IDisposable?> EnterWriteGateAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _writeGateRelease;
    }

    public override object ToTimestampParameter(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public override ValueTask DisposeAsync()
    {
        // Close the pooled connections so the file is released (a restarted provider, or a test removing the file).
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class WriteGateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
