using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Authz.Storage;

/// <summary>
/// The Authz grain storage: an Orleans <see cref="IGrainStorage"/> that can also commit extra rows in the same
/// transaction as a state write. Resolve it with <c>serviceProvider.GetAuthzGrainStorage(name)</c>.
/// </summary>
public interface IAuthzGrainStorage : IGrainStorage
{
    /// <summary>The provider name it is registered under.</summary>
    string Name { get; }

    /// <summary>The database it stores to.</summary>
    StorageProviderKind Provider { get; }

    /// <summary>Where the data lives: the SQLite file, or PostgreSQL host:port/database (never a password).</summary>
    string Target { get; }

    /// <summary>Opens a connection and runs a trivial query; throws when the database cannot be reached.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a read-only <paramref name="query"/> on a connection of this storage, with the service id rows are stored
    /// under (for tables beside the grain state, such as <c>audit_events</c>). Wrappers that do not forward it refuse it.
    /// </summary>
    Task<TResult> QueryAsync<TResult>(Func<System.Data.Common.DbConnection, string, CancellationToken, Task<TResult>> query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not run queries");

    /// <summary>
    /// Writes <paramref name="grainState"/> like <see cref="IGrainStorage.WriteStateAsync{T}(string, GrainId, IGrainState{T}, CancellationToken)"/>
    /// and runs <paramref name="alsoWrite"/> in the same transaction: both commit, or neither does.
    /// </summary>
    /// <exception cref="InconsistentStateException">The ETag of <paramref name="grainState"/> is not the stored one.</exception>
    Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default);

    /// <summary>
    /// Clears <paramref name="grainState"/> like <see cref="IGrainStorage.ClearStateAsync{T}(string, GrainId, IGrainState{T}, CancellationToken)"/>
    /// and runs <paramref name="alsoWrite"/> in the same transaction.
    /// </summary>
    /// <exception cref="InconsistentStateException">The ETag of <paramref name="grainState"/> is not the stored one.</exception>
    Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default);
}
