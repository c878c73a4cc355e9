using Authz.Grains.Decisions;

namespace Authz.Grains.Tests.Decisions;

/// <summary>
/// The decision cache's single flight: concurrent misses of one key share one load, a failure is not kept for later
/// misses, a miss that needs a newer revision loads again, and a caller's cancellation ends only its own wait.
/// </summary>
public sealed class SharedLoadsTests
{
    private readonly SharedLoads<string, Entry> _loads = new(e => e.Revision);
    private int _calls;

    /// <summary>
    /// The second miss arrives while the first is still starting its load (the load has not even returned its task):
    /// the window in which a <c>GetOrAdd</c> value factory would run twice and start two loads.
    /// </summary>
    [Fact]
    public async Task A_miss_while_the_load_of_its_key_is_starting_joins_it_instead_of_loading_again()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task<Entry> Load(string key, ulong needed)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                entered.Set();
                release.Wait();
            }

            return Task.FromResult(new Entry(needed));
        }

        var first = Task.Run(() => _loads.GetAsync("k", 1, Load, CancellationToken.None));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "the first load did not start");
        var second = _loads.GetAsync("k", 1, Load, CancellationToken.None);

        Assert.False(second.IsCompleted);
        release.Set();
        Assert.Same(await first, await second);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_failed_load_fails_every_waiter_and_the_next_miss_loads_again()
    {
        var failing = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Entry> Load(string key, ulong needed) => Interlocked.Increment(ref _calls) == 1 ? failing.Task : Task.FromResult(new Entry(needed));

        var first = _loads.GetAsync("k", 1, Load, CancellationToken.None);
        var second = _loads.GetAsync("k", 1, Load, CancellationToken.None);
        failing.SetException(new InvalidOperationException("storage unavailable"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        Assert.Equal(1, _calls);
        Assert.Equal(1UL, (await _loads.GetAsync("k", 1, Load, CancellationToken.None)).Revision);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task A_load_that_throws_before_returning_a_task_fails_its_caller_and_is_not_kept()
    {
        Task<Entry> Load(string key, ulong needed) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new InvalidOperationException("bad key") : Task.FromResult(new Entry(needed));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _loads.GetAsync("k", 1, Load, CancellationToken.None));
        Assert.Equal(1UL, (await _loads.GetAsync("k", 1, Load, CancellationToken.None)).Revision);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task A_miss_that_needs_a_newer_revision_than_the_running_load_reached_loads_again()
    {
        var running = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Entry> Load(string key, ulong needed) => Interlocked.Increment(ref _calls) == 1 ? running.Task : Task.FromResult(new Entry(needed));

        var older = _loads.GetAsync("k", 1, Load, CancellationToken.None);
        var newer = _loads.GetAsync("k", 2, Load, CancellationToken.None);
        Assert.Equal(1, _calls);
        running.SetResult(new Entry(1));

        Assert.Equal(1UL, (await older).Revision);
        Assert.Equal(2UL, (await newer).Revision);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task A_cancelled_waiter_stops_waiting_and_the_shared_load_still_serves_the_others()
    {
        var running = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Entry> Load(string key, ulong needed)
        {
            Interlocked.Increment(ref _calls);
            return running.Task;
        }

        using var cancellation = new CancellationTokenSource();
        var cancelled = _loads.GetAsync("k", 1, Load, cancellation.Token);
        var other = _loads.GetAsync("k", 1, Load, CancellationToken.None);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(other.IsCompleted);
        running.SetResult(new Entry(1));
        Assert.Equal(1UL, (await other).Revision);
        Assert.Equal(1, _calls);
    }

    private sealed record Entry(ulong Revision);
}
