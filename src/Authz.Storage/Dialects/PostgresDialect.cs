using System.Data.Common;
using Authz.Storage.Migrations;
using Npgsql;

namespace Authz.Storage.Dialects;

/// <summary>
/// PostgreSQL through Npgsql: the cluster store. Conditional updates on the row give optimistic concurrency across
/// silos; a transaction-scoped advisory lock keeps silos that start together from migrating at the same time.
/// </summary>
internal sealed class PostgresDialect : StorageDialect
{
    /// <summary>The advisory lock key of schema migrations: the bytes of "AuthzMig" read as a big-endian int64.</summary>
    internal const long MigrationLockKey = 0x417574687A4D6967;

    private static readonly SchemaMigration[] s_migrations =
    [
        new(1, "grain state table", """
            CREATE TABLE grain_state (
                service_id     text        NOT NULL,
                grain_type     text        NOT NULL,
                grain_key      text        NOT NULL,
                state_name     text        NOT NULL,
                version        bigint      NOT NULL CHECK (version > 0),
                format_version integer     NOT NULL,
                payload        jsonb,
                updated_at     timestamptz NOT NULL,
                CONSTRAINT grain_state_pkey PRIMARY KEY (service_id, grain_type, grain_key, state_name)
            );
            """),
        new(2, "audit events table", """
            CREATE TABLE audit_events (
                seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                service_id      text        NOT NULL,
                tenant_id       text        NOT NULL,
                occurred_at     timestamptz NOT NULL,
                caller_arn      text        NOT NULL,
                access_key_id   text        NOT NULL,
                rpc             text        NOT NULL,
                target_arn      text        NOT NULL,
                request_id      text        NOT NULL,
                revision_before bigint      NOT NULL,
                revision_after  bigint      NOT NULL
            );
            CREATE INDEX audit_events_by_tenant ON audit_events (service_id, tenant_id, seq);
            """),
    ];

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(AuthzStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Authz:Storage:ConnectionString is required when Authz:Storage:Provider is Postgres");
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
        };
        Target = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override StorageProviderKind Kind => StorageProviderKind.Postgres;

    public override string Target { get; }

    public override IReadOnlyList<SchemaMigration> Migrations => s_migrations;

    public override string CreateMigrationsTableSql => """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer     NOT NULL PRIMARY KEY,
            description text        NOT NULL,
            applied_at  timestamptz NOT NULL
        );
        """;

    public override string ReadSql => """
        SELECT version, format_version, payload::text FROM grain_state
        WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
        """;

    public override string InsertSql => """
        INSERT INTO grain_state (service_id, grain_type, grain_key, state_name, version, format_version, payload, updated_at)
        VALUES (@service_id, @grain_type, @grain_key, @state_name, @version, @format_version, CAST(@payload AS jsonb), @updated_at)
        ON CONFLICT (service_id, grain_type, grain_key, state_name) DO NOTHING
        """;

    public override string UpdateSql => """
        UPDATE grain_state SET version = @version, format_version = @format_version, payload = CAST(@payload AS jsonb),
               updated_at = @updated_at
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

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    // Durability is the server's (fsync, synchronous_commit); nothing to set per database.
    public override Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(@key)";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = MigrationLockKey;
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask<IDisposable?> EnterWriteGateAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    // Npgsql maps a UTC DateTime to timestamptz.
    public override object ToTimestampParameter(DateTimeOffset value) => value.UtcDateTime;

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
