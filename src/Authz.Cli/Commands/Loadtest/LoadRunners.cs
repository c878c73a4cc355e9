using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>A clock for the open loop: timestamps, and a blocking wait until one.</summary>
public interface ILoadClock
{
    /// <summary>Timestamp ticks per second.</summary>
    long Frequency { get; }

    /// <summary>The current timestamp.</summary>
    long Now { get; }

    /// <summary>Blocks the calling thread until <see cref="Now"/> reaches <paramref name="timestamp"/>.</summary>
    void WaitUntil(long timestamp, CancellationToken cancellationToken);
}

/// <summary>
/// The <see cref="Stopwatch"/> clock. Waits longer than two milliseconds sleep in whole milliseconds; the rest of a
/// wait is a <c>nanosleep</c> on Linux, where <see cref="PrepareDispatcherThread"/> has set the thread's timer slack to
/// 1 ns, so sends leave within some microseconds of their schedule without spinning. Elsewhere the rest of a wait
/// yields in a loop. How late each send really was is measured (<see cref="StepCounters.SendLag"/>).
/// </summary>
public sealed class SystemLoadClock : ILoadClock
{
    /// <summary>The shared instance.</summary>
    public static SystemLoadClock Instance { get; } = new();

    private static readonly long TwoMilliseconds = Stopwatch.Frequency / 500;
    private const int PrSetTimerSlack = 29;

    /// <inheritdoc />
    public long Frequency => Stopwatch.Frequency;

    /// <inheritdoc />
    public long Now => Stopwatch.GetTimestamp();

    /// <summary>Makes short sleeps on the calling thread precise (Linux: timer slack 1 ns instead of 50 µs).</summary>
    public static void PrepareDispatcherThread()
    {
        if (OperatingSystem.IsLinux())
            _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);
    }

    /// <inheritdoc />
    public void WaitUntil(long timestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0 || cancellationToken.IsCancellationRequested)
                return;
            if (remaining > TwoMilliseconds)
            {
                Thread.Sleep((int)((remaining - TwoMilliseconds / 2) * 1000 / Stopwatch.Frequency));
            }
            else if (OperatingSystem.IsLinux())
            {
                var nanoseconds = remaining * 1_000_000_000 / Stopwatch.Frequency;
                var request = new Timespec { Seconds = 0, Nanoseconds = (nint)nanoseconds };
                _ = NanoSleep(in request, IntPtr.Zero);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int NanoSleep(in Timespec request, IntPtr remaining);

    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}

/// <summary>How long a step ran and how much CPU it took.</summary>
public readonly record struct StepTiming(TimeSpan Elapsed);

/// <summary>
/// Closed loop: <c>concurrency</c> workers, each sending its next call as soon as the previous one answers. Latency is
/// measured from each send; the offered load adapts to the server, so this measures capacity at a concurrency, not
/// latency at a rate (use the open loop for that).
/// </summary>
public static class ClosedLoopRunner
{
    /// <summary>Runs for <paramref name="duration"/>; calls in flight at the end finish and count.</summary>
    public static async Task<StepTiming> RunAsync(ICallDriver driver, int concurrency, TimeSpan duration, StepCounters counters, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var random = new Random(unchecked(seed * 7919 + w));
            workers[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var outcome = await driver.SendAsync(random, cancellationToken).ConfigureAwait(false);
                    counters.Record(outcome, LatencyRecorder.TicksToMicroseconds(Stopwatch.GetTimestamp() - sent, Stopwatch.Frequency));
                }
            }, CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new StepTiming(Stopwatch.GetElapsedTime(start));
    }
}

/// <summary>
/// Open loop: calls are scheduled at a fixed rate, whatever the server does, and each call's latency is measured from
/// its intended send time, not from when it was actually sent. When the server (or the generator) stalls, the calls
/// that should have been sent during the stall are late, and their lateness is counted: this is the correction for
/// coordinated omission. <see cref="StepCounters.ServiceTime"/> keeps the uncorrected figure for comparison and
/// <see cref="StepCounters.SendLag"/> shows how late the generator itself sent.
/// </summary>
public static class OpenLoopRunner
{
    /// <summary>Runs the schedule on a dedicated dispatcher thread; see <see cref="Dispatch"/>.</summary>
    public static Task<StepTiming> RunAsync(ICallDriver driver, double rate, TimeSpan duration, int maxInFlight, TimeSpan drainTimeout,
        StepCounters counters, int seed, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<StepTiming>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                SystemLoadClock.PrepareDispatcherThread();
                completion.SetResult(Dispatch(driver, rate, duration, maxInFlight, drainTimeout, counters, SystemLoadClock.Instance, new Random(seed), cancellationToken));
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "loadtest open-loop dispatcher",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        return completion.Task;
    }

    /// <summary>
    /// Sends call k at <c>start + k / rate</c> for <paramref name="duration"/>, at most <paramref name="maxInFlight"/>
    /// at a time, and blocks until the calls in flight finish (at most <paramref name="drainTimeout"/> after the last send).
    /// A call that cannot be sent before <c>end + drainTimeout</c> is counted as <see cref="StepCounters.NotSent"/>.
    /// </summary>
    public static StepTiming Dispatch(ICallDriver driver, double rate, TimeSpan duration, int maxInFlight, TimeSpan drainTimeout,
        StepCounters counters, ILoadClock clock, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(random);
        if (!(rate > 0) || !double.IsFinite(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), "the rate must be a positive number");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);

        var frequency = clock.Frequency;
        var ticksPerCall = frequency / rate;
        var start = clock.Now;
        var scheduled = (long)Math.Floor(duration.TotalSeconds * rate);
        var giveUp = start + (long)((duration + drainTimeout).TotalSeconds * frequency);
        // Not disposed: a call still running after the drain gives up releases its slot later.
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);

        void Complete(CallOutcome outcome, long intended, long sent)
        {
            var now = clock.Now;
            counters.Record(outcome, LatencyRecorder.TicksToMicroseconds(now - intended, frequency));
            if (outcome.Succeeded)
                counters.ServiceTime.RecordMicroseconds(LatencyRecorder.TicksToMicroseconds(now - sent, frequency));
            slots.Release();
        }

        for (long k = 0; k < scheduled; k++)
        {
            if (cancellationToken.IsCancellationRequested)
                break;
            var intended = start + (long)(k * ticksPerCall);
            clock.WaitUntil(intended, cancellationToken);
            if (!slots.Wait(0))
            {
                // Every slot is busy: wait for one, but not past the point where the step gives up.
                var waitMilliseconds = Math.Max(0, (giveUp - clock.Now) * 1000 / frequency);
                if (!slots.Wait(TimeSpan.FromMilliseconds(waitMilliseconds), cancellationToken))
                {
                    counters.RecordNotSent(scheduled - k, $"{scheduled - k} calls could not be sent: {maxInFlight} calls were in flight until the step gave up");
                    break;
                }
            }
            var sent = clock.Now;
            counters.SendLag.RecordMicroseconds(LatencyRecorder.TicksToMicroseconds(sent - intended, frequency));
            var call = driver.SendAsync(random, cancellationToken);
            if (call.IsCompleted)
            {
                Complete(call.GetAwaiter().GetResult(), intended, sent);
            }
            else
            {
                var (i, s) = (intended, sent);
                call.ContinueWith(t => Complete(t.GetAwaiter().GetResult(), i, s), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        // Drain: take every slot back, i.e. wait until the calls in flight have finished (each has a deadline shorter
        // than the drain timeout). Real time bounds the wait, whatever the clock.
        var drainDeadline = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var returned = 0; returned < maxInFlight; returned++)
        {
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), drainDeadline);
            if (remaining <= TimeSpan.Zero || cancellationToken.IsCancellationRequested || !slots.Wait(remaining))
                break;
        }
        var elapsedTicks = Math.Max(clock.Now - start, (long)(duration.TotalSeconds * frequency));
        return new StepTiming(TimeSpan.FromSeconds((double)elapsedTicks / frequency));
    }
}
