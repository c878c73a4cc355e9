using System.Data.Common;
using Authz.Storage.Migrations;

namespace Authz.Storage.Dialects;

/// <summary>
/// What differs between the databases: how to connect, the schema, and the SQL text of each storage operation.
/// Every statement uses the same parameter names so that <see cref="AuthzGrainStorage"/> stays dialect-free.
/// </summary>
/// <remarks>
/// Parameters: <c>@service_id</c>, <c>@grain_type</c>, <c>@grain_key</c>, <c>@state_name</c> (the row key),
/// <c>@version</c> (the new version), <c>@expected_version</c> (the version the caller read), <c>@format_version</c>,
/// <c>@payload</c> (JSON text) and <c>@updated_at</c>.
/// </remarks>
internal abstract class StorageDialect : IAsyncDisposable
{
    public abstract StorageProviderKind Kind { get; }

    /// <summary>Where the data lives, for logs and errors: a file path or host/database, never a password.</summary>
    public abstract string Target { get; }

    /// <summary>The schema, oldest step first.</summary>
    public abstract IReadOnlyList<SchemaMigration> Migrations { get; }

    /// <summary>Creates <c>schema_migrations</c> when missing.</summary>
    public abstract string CreateMigrationsTableSql { get; }

    /// <summary>Reads <c>version, format_version, payload</c> of one row.</summary>
    public abstract string ReadSql { get; }

    /// <summary>Inserts a row with version 1 unless the key exists; affects 0 rows on conflict.</summary>
    public abstract string InsertSql { get; }

    /// <summary>Replaces the payload of a row at <c>@expected_version</c>; affects 0 rows on conflict.</summary>
    public abstract string UpdateSql { get; }

    /// <summary>Turns a row at <c>@expected_version</c> into a tombstone (no payload) at <c>@version</c>.</summary>
    public abstract string TombstoneSql { get; }

    /// <summary>Deletes a row at <c>@expected_version</c>.</summary>
    public abstract string DeleteSql { get; }

    /// <summary>Reads the current <c>version</c> of one row, to report a conflict.</summary>
    public virtual string ReadVersionSql =>
        "SELECT version FROM grain_state WHERE service_id = @service_id AND grain_type = @grain_type " +
        "AND grain_key = @grain_key AND state_name = @state_name";

    /// <summary>Opens a connection configured for durable writes.</summary>
    public abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction that holds the write lock from its first statement.</summary>
    public abstract ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Prepares the database outside any transaction before migrations run (e.g. the journal mode).</summary>
    public abstract Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Serializes concurrent migrators (several silos starting at once) for the rest of
    /// <paramref name="transaction"/>.
    /// </summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until this process may write. SQLite allows one writer per file, so writers queue here instead of
    /// spinning on the database lock; PostgreSQL has row locks and needs no gate.
    /// </summary>
    public abstract ValueTask<IDisposable?> EnterWriteGateAsync(CancellationToken cancellationToken);

    /// <summary>Converts a timestamp into a parameter value for the <c>updated_at</c> and <c>applied_at</c> columns.</summary>
    public abstract object ToTimestampParameter(DateTimeOffset value);

    public abstract ValueTask DisposeAsync();
}
