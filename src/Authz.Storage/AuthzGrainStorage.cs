using System.Data;
using System.Data.Common;
using System.Globalization;
using Authz.Storage.Dialects;
using Authz.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;

namespace Authz.Storage;

/// <summary>
/// Orleans grain storage over ADO.NET (SQLite or PostgreSQL) with a schema of its own.
/// </summary>
/// <remarks>
/// <para>
/// One row per (service id, grain type, grain key, state name) in table <c>grain_state</c>. The grain type is the
/// Orleans grain type alias (<c>[GrainType("...")]</c>), never a CLR type name, and the payload is versioned JSON
/// (<see cref="StatePayloadSerializer"/>), so renaming a class never orphans its state.
/// </para>
/// <para>
/// The ETag is the row's <c>version</c>, a counter that every write and clear increments. A write or clear whose ETag
/// is not the stored version changes nothing and throws <see cref="InconsistentStateException"/>; an ETag of
/// <see langword="null"/> means "I saw no record" and only succeeds when there is none.
/// </para>
/// <para>
/// A clear keeps the row as a tombstone (no payload, next version) unless
/// <see cref="AuthzStorageOptions.DeleteStateOnClear"/> is set; reading a tombstone gives
/// <see cref="IGrainState{T}.RecordExists"/> = false with the tombstone's ETag.
/// </para>
/// <para>
/// A write is acknowledged only after the database committed it durably (SQLite: WAL with <c>synchronous=FULL</c>).
/// </para>
/// </remarks>
public sealed class AuthzGrainStorage : IAuthzGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly AuthzStorageOptions _options;
    private readonly string _serviceId;
    private readonly ILogger _logger;
    private readonly StorageDialect _dialect;
    private readonly StatePayloadSerializer _serializer;
    private readonly int _commandTimeoutSeconds;
    private readonly Lock _initializationLock = new();
    private Task? _initialization;

    /// <summary>Creates a storage. Call <see cref="InitializeAsync"/> (a silo does it on start) before use.</summary>
    /// <param name="name">The provider name, for logs.</param>
    /// <param name="options">Where and how to store.</param>
    /// <param name="serviceId">The Orleans service id rows are stored under (<see cref="ClusterOptions.ServiceId"/>).</param>
    /// <param name="logger">The logger.</param>
    public AuthzGrainStorage(string name, AuthzStorageOptions options, string serviceId, ILogger<AuthzGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        ArgumentNullException.ThrowIfNull(logger);

        var errors = AuthzStorageOptionsValidator.Check(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(AuthzStorageOptions), errors);
        }

        Name = name;
        _options = options;
        _serviceId = serviceId;
        _logger = logger;
        _serializer = new StatePayloadSerializer(options.JsonSerializerOptions);
        _commandTimeoutSeconds = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _dialect = options.Provider switch
        {
            StorageProviderKind.Sqlite => new SqliteDialect(options),
            StorageProviderKind.Postgres => new PostgresDialect(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "unknown storage provider"),
        };
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StorageProviderKind Provider => _dialect.Kind;

    /// <inheritdoc/>
    public string Target => _dialect.Target;

    /// <inheritdoc/>
    public async Task<TResult> QueryAsync<TResult>(Func<DbConnection, string, CancellationToken, Task<TResult>> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await query(connection, _serviceId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = _commandTimeoutSeconds;
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the storage registered under <paramref name="name"/> from the service provider.</summary>
    public static AuthzGrainStorage Create(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptionsMonitor<AuthzStorageOptions>>().Get(name);
        var serviceId = services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
        return new AuthzGrainStorage(name, options, serviceId, services.GetRequiredService<ILogger<AuthzGrainStorage>>());
    }

    /// <summary>
    /// Applies the schema migrations (or, with <see cref="AuthzStorageOptions.ApplyMigrationsOnStartup"/> off, checks
    /// the schema). Idempotent and safe to call concurrently; a failed attempt is retried by the next call.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        lock (_initializationLock)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeCoreAsync(cancellationToken);
            }

            return _initialization;
        }
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            $"{nameof(AuthzGrainStorage)}-{Name}",
            ServiceLifecycleStage.ApplicationServices,
            InitializeAsync);

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = RowKey.Of(_serviceId, stateName, grainId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        await using var connection = await _dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateCommand(connection, transaction: null, _dialect.ReadSql, key);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            grainState.State = StateFactory<T>.Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var version = reader.GetInt64(0);
        if (await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false))
        {
            // A tombstone: the state was cleared; its version guards against writers from before the clear.
            grainState.State = StateFactory<T>.Create();
            grainState.ETag = FormatETag(version);
            grainState.RecordExists = false;
            return;
        }

        var formatVersion = reader.GetInt32(1);
        var payload = reader.GetString(2);
        T state;
        try
        {
            state = _serializer.Deserialize<T>(formatVersion, payload, stateName, key.GrainIdText);
        }
        catch (GrainStateFormatException ex)
        {
            Log.UnreadableState(_logger, ex, stateName, key.GrainIdText);
            throw;
        }

        grainState.State = state;
        grainState.ETag = FormatETag(version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteCoreAsync(stateName, grainId, grainState, alsoWrite: null, CancellationToken.None);

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        WriteCoreAsync(stateName, grainId, grainState, alsoWrite: null, cancellationToken);

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alsoWrite);
        return WriteCoreAsync(stateName, grainId, grainState, alsoWrite, cancellationToken);
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearCoreAsync(stateName, grainId, grainState, alsoWrite: null, CancellationToken.None);

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        ClearCoreAsync(stateName, grainId, grainState, alsoWrite: null, cancellationToken);

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alsoWrite);
        return ClearCoreAsync(stateName, grainId, grainState, alsoWrite, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dialect.DisposeAsync();

    private async Task WriteCoreAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction? alsoWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = RowKey.Of(_serviceId, stateName, grainId);
        var expected = ParseETag(grainState.ETag, "write", key);
        var payload = _serializer.Serialize(grainState.State);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        var newVersion = expected is { } v ? v + 1 : 1;
        await RunInWriteTransactionAsync(alsoWrite, async (connection, transaction) =>
        {
            var sql = expected is null ? _dialect.InsertSql : _dialect.UpdateSql;
            await using var command = CreateCommand(connection, transaction, sql, key);
            AddParameter(command, "version", newVersion);
            AddParameter(command, "expected_version", expected ?? 0L);
            AddParameter(command, "format_version", StatePayloadSerializer.CurrentFormatVersion);
            AddParameter(command, "payload", payload);
            AddParameter(command, "updated_at", _dialect.ToTimestampParameter(DateTimeOffset.UtcNow));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await ThrowConflictAsync(connection, transaction, "write", key, grainState.ETag, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);

        grainState.ETag = FormatETag(newVersion);
        grainState.RecordExists = true;
    }

    private async Task ClearCoreAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction? alsoWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = RowKey.Of(_serviceId, stateName, grainId);
        var expected = ParseETag(grainState.ETag, "clear", key);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        string? newETag = null;
        await RunInWriteTransactionAsync(alsoWrite, async (connection, transaction) =>
        {
            if (expected is null)
            {
                // The caller saw no record: clearing is a no-op while there still is none.
                if (await ReadVersionAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await ThrowConflictAsync(connection, transaction, "clear", key, grainState.ETag, cancellationToken).ConfigureAwait(false);
                }

                newETag = null;
                return;
            }

            var deleting = _options.DeleteStateOnClear;
            await using var command = CreateCommand(connection, transaction, deleting ? _dialect.DeleteSql : _dialect.TombstoneSql, key);
            AddParameter(command, "expected_version", expected.Value);
            if (!deleting)
            {
                AddParameter(command, "version", expected.Value + 1);
                AddParameter(command, "updated_at", _dialect.ToTimestampParameter(DateTimeOffset.UtcNow));
            }

            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await ThrowConflictAsync(connection, transaction, "clear", key, grainState.ETag, cancellationToken).ConfigureAwait(false);
            }

            newETag = deleting ? null : FormatETag(expected.Value + 1);
        }, cancellationToken).ConfigureAwait(false);

        grainState.State = StateFactory<T>.Create();
        grainState.ETag = newETag;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// Runs <paramref name="writeState"/>, then the explicit extra write, then the action of an enclosing
    /// <see cref="StorageWriteScope"/>, in one transaction, and commits.
    /// </summary>
    private async Task RunInWriteTransactionAsync(
        StorageWriteAction? alsoWrite,
        Func<DbConnection, DbTransaction, Task> writeState,
        CancellationToken cancellationToken)
    {
        var scope = StorageWriteScope.Claim();
        var committed = false;
        try
        {
            using var gate = await _dialect.EnterWriteGateAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await _dialect.BeginWriteTransactionAsync(connection, cancellationToken).ConfigureAwait(false);

            await writeState(connection, transaction).ConfigureAwait(false);
            if (alsoWrite is not null || scope is not null)
            {
                var storageTransaction = new StorageTransaction(_dialect.Kind, _serviceId, connection, transaction, _commandTimeoutSeconds);
                if (alsoWrite is not null)
                {
                    await alsoWrite(storageTransaction, cancellationToken).ConfigureAwait(false);
                }

                if (scope is not null)
                {
                    await scope.RunAsync(storageTransaction, cancellationToken).ConfigureAwait(false);
                }
            }

            // Not cancellable: once the commit is sent, the outcome must be observed.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            committed = true;
        }
        finally
        {
            scope?.Complete(committed);
        }
    }

    private async Task ThrowConflictAsync(DbConnection connection, DbTransaction transaction, string operation, RowKey key, string? grainETag, CancellationToken cancellationToken)
    {
        var stored = await ReadVersionAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        var storedETag = stored is { } s ? FormatETag(s) : null;
        Log.VersionConflict(_logger, operation, key.StateName, key.GrainIdText, grainETag ?? "(none)", storedETag ?? "(no record)");
        throw new InconsistentStateException(
            $"version conflict on {operation} of state `{key.StateName}` of grain `{key.GrainIdText}`: the grain holds ETag " +
            $"`{grainETag ?? "(none)"}` but storage holds `{storedETag ?? "(no record)"}`; another activation or writer changed it",
            storedETag ?? string.Empty,
            grainETag ?? string.Empty);
    }

    private async Task<long?> ReadVersionAsync(DbConnection connection, DbTransaction transaction, RowKey key, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(connection, transaction, _dialect.ReadVersionSql, key);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        var initialization = Volatile.Read(ref _initialization);
        return initialization is { IsCompletedSuccessfully: true } ? Task.CompletedTask : InitializeAsync(cancellationToken);
    }

    private async Task InitializeCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_dialect.Kind == StorageProviderKind.Sqlite)
            {
                var directory = Path.GetDirectoryName(_dialect.Target);
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }
            }

            var migrator = new SchemaMigrator(_dialect, _logger);
            if (_options.ApplyMigrationsOnStartup)
            {
                await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await migrator.VerifyAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.StorageReady(_logger, Name, _dialect.Kind, _dialect.Target, _serviceId, migrator.LatestVersion);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.InitializationFailed(_logger, ex, Name, _dialect.Kind, _dialect.Target);
            throw;
        }
    }

    private DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql, RowKey key)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = _commandTimeoutSeconds;
        command.CommandText = sql;
        AddParameter(command, "service_id", key.ServiceId);
        AddParameter(command, "grain_type", key.GrainType);
        AddParameter(command, "grain_key", key.GrainKey);
        AddParameter(command, "state_name", key.StateName);
        return command;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string FormatETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private long? ParseETag(string? etag, string operation, RowKey key)
    {
        if (etag is null)
        {
            return null;
        }

        if (long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            return version;
        }

        Log.VersionConflict(_logger, operation, key.StateName, key.GrainIdText, etag, "(not read)");
        throw new InconsistentStateException(
            $"ETag `{etag}` on {operation} of state `{key.StateName}` of grain `{key.GrainIdText}` was not issued by this storage",
            string.Empty,
            etag);
    }

    /// <summary>The primary key of a state row.</summary>
    private readonly record struct RowKey(string ServiceId, string GrainType, string GrainKey, string StateName, string GrainIdText)
    {
        public static RowKey Of(string serviceId, string stateName, GrainId grainId)
        {
            ArgumentException.ThrowIfNullOrEmpty(stateName);
            if (grainId.IsDefault)
            {
                throw new ArgumentException("grain id is the default value", nameof(grainId));
            }

            return new RowKey(serviceId, grainId.Type.ToString()!, grainId.Key.ToString()!, stateName, grainId.ToString());
        }
    }

    /// <summary>Creates the empty state of a type the way Orleans does for a grain without a stored record.</summary>
    private static class StateFactory<T>
    {
        private static readonly bool s_canCreate = typeof(T).IsValueType || typeof(T).GetConstructor(Type.EmptyTypes) is not null;

        public static T Create() => s_canCreate ? Activator.CreateInstance<T>() : default!;
    }
}
