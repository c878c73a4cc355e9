using System.Collections.Concurrent;

namespace Authz.Grains.Decisions;

/// <summary>
/// Single flight: at most one load per key runs at a time, and every caller that misses the key while it runs waits for
/// that load. A caller whose required revision the finished load did not reach starts another. Each caller stops
/// waiting at its own cancellation; the shared load runs on for the others.
/// </summary>
/// <remarks>
/// Only the caller whose own task <see cref="ConcurrentDictionary{TKey,TValue}.GetOrAdd(TKey,TValue)"/> stored starts
/// the load, so two racing misses cannot start two loads (a value factory may run for both). A load leaves the
/// dictionary before its outcome is published: a failure reaches only the callers that waited for it, and the next miss
/// loads again. The dictionary therefore only ever holds loads that are still running.
/// </remarks>
internal sealed class SharedLoads<TKey, TEntry>(Func<TEntry, ulong> revisionOf)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TEntry>> _running = new();

    /// <summary>The entry for <paramref name="key"/> at revision <paramref name="needed"/> or later, loaded once for all waiting callers.</summary>
    public async Task<TEntry> GetAsync(TKey key, ulong needed, Func<TKey, ulong, Task<TEntry>> load, CancellationToken cancellationToken)
    {
        while (true)
        {
            var mine = new TaskCompletionSource<TEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _running.GetOrAdd(key, mine.Task);
            if (shared == mine.Task)
            {
                _ = RunAsync(key, needed, load, mine);
            }

            var entry = await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (revisionOf(entry) >= needed)
            {
                return entry;
            }

            // The shared load served an older requirement and is gone; the next one carries ours.
        }
    }

    private async Task RunAsync(TKey key, ulong needed, Func<TKey, ulong, Task<TEntry>> load, TaskCompletionSource<TEntry> shared)
    {
        Task<TEntry> loading;
        try
        {
            loading = load(key, needed);
        }
        catch (Exception ex)
        {
            loading = Task.FromException<TEntry>(ex);
        }

        await ((Task)loading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _running.TryRemove(new KeyValuePair<TKey, Task<TEntry>>(key, shared.Task));
        shared.SetFromTask(loading);
    }
}
