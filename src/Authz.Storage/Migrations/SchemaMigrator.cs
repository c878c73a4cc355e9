using System.Data.Common;
using System.Globalization;
using Authz.Storage.Dialects;
using Microsoft.Extensions.Logging;

namespace Authz.Storage.Migrations;

/// <summary>
/// Brings a database to the schema version this build expects. Safe to run from several silos at once: the whole
/// check-and-apply runs in one transaction that holds the dialect's migration lock, and every applied step is recorded
/// in <c>schema_migrations(version, description, applied_at)</c> in that same transaction.
/// </summary>
internal sealed class SchemaMigrator(StorageDialect dialect, ILogger logger)
{
    /// <summary>The newest schema version this build knows.</summary>
    public int LatestVersion => dialect.Migrations[^1].Version;

    /// <summary>Applies every missing step. Returns the number of steps applied.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await dialect.PrepareDatabaseAsync(connection, cancellationToken).ConfigureAwait(false);

        await using var transaction = await dialect.BeginWriteTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
        await dialect.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, dialect.CreateMigrationsTableSql, cancellationToken).ConfigureAwait(false);

        var applied = await ReadAppliedVersionsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        ThrowIfNewerThanBuild(applied);

        var count = 0;
        foreach (var migration in dialect.Migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@version, @description, @applied_at)";
                AddParameter(record, "version", migration.Version);
                AddParameter(record, "description", migration.Description);
                AddParameter(record, "applied_at", dialect.ToTimestampParameter(DateTimeOffset.UtcNow));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.MigrationApplied(logger, migration.Version, migration.Description, dialect.Kind, dialect.Target);
            count++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            Log.SchemaUpToDate(logger, dialect.Kind, dialect.Target, LatestVersion);
        }

        return count;
    }

    /// <summary>Checks, without changing anything, that the schema is exactly at <see cref="LatestVersion"/>.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        HashSet<int> applied;
        try
        {
            applied = await ReadAppliedVersionsAsync(connection, transaction: null, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw new InvalidOperationException(
                $"{dialect.Kind} database `{dialect.Target}` has no Authz schema and Authz:Storage:ApplyMigrationsOnStartup is false", ex);
        }

        ThrowIfNewerThanBuild(applied);
        var missing = dialect.Migrations.Where(m => !applied.Contains(m.Version)).Select(m => m.Version).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"{dialect.Kind} database `{dialect.Target}` lacks schema migrations {string.Join(", ", missing)} " +
                "and Authz:Storage:ApplyMigrationsOnStartup is false");
        }
    }

    private void ThrowIfNewerThanBuild(HashSet<int> applied)
    {
        if (applied.Count > 0 && applied.Max() > LatestVersion)
        {
            throw new InvalidOperationException(
                $"{dialect.Kind} database `{dialect.Target}` is at schema version {applied.Max()}, newer than the {LatestVersion} " +
                "this build knows; run a newer Authz build against it");
        }
    }

    private static async Task<HashSet<int>> ReadAppliedVersionsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_migrations";
        var versions = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return versions;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
