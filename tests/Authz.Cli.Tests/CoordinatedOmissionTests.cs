using Authz.Cli.Commands.Loadtest;
using Authz.V1;

namespace Authz.Cli.Tests;

/// <summary>
/// The open loop on a virtual clock (1 tick = 1 µs) against a simulated server that answers in 100 µs, one call at a
/// time, and stops answering for one second. Everything is deterministic: no real time passes.
/// </summary>
public sealed class CoordinatedOmissionTests
{
    private sealed class VirtualClock : ILoadClock
    {
        public long Frequency => 1_000_000;
        public long Now { get; set; }
        public void WaitUntil(long timestamp, CancellationToken cancellationToken) => Now = Math.Max(Now, timestamp);
    }

    /// <summary>Answers synchronously: the clock moves to when the answer arrives.</summary>
    private sealed class SimulatedServer(VirtualClock clock, long serviceMicroseconds, long stallFrom, long stallUntil) : ICallDriver
    {
        public int ChecksPerCall => 1;
        public int Calls { get; private set; }

        public Task<CallOutcome> SendAsync(Random random, CancellationToken cancellationToken)
        {
            Calls++;
            var start = clock.Now >= stallFrom && clock.Now < stallUntil ? stallUntil : clock.Now;
            clock.Now = start + serviceMicroseconds;
            return Task.FromResult(new CallOutcome(1, DecisionCounts.Of(Decision.Allow), 0, null, null));
        }
    }

    private static (StepCounters Counters, StepTiming Timing, SimulatedServer Server) Run(long stallFrom, long stallUntil)
    {
        var clock = new VirtualClock();
        var server = new SimulatedServer(clock, 100, stallFrom, stallUntil);
        var counters = new StepCounters();
        // 1,000 calls/s for 10 s, one call in flight at a time: like a single connection without pipelining.
        var timing = OpenLoopRunner.Dispatch(server, 1_000, TimeSpan.FromSeconds(10), maxInFlight: 1, TimeSpan.FromSeconds(5), counters, clock, new Random(1), CancellationToken.None);
        return (counters, timing, server);
    }

    [Fact]
    public void Without_a_stall_corrected_and_uncorrected_latency_agree()
    {
        var (counters, _, server) = Run(stallFrom: long.MaxValue, stallUntil: long.MaxValue);
        var corrected = LatencySummary.From(counters.Latency.Total());
        var uncorrected = LatencySummary.From(counters.ServiceTime.Total());
        Assert.Equal(10_000, server.Calls);
        Assert.Equal(10_000, corrected.Count);
        Assert.Equal(100, corrected.P50);
        Assert.Equal(100, corrected.Max);
        Assert.Equal(corrected, uncorrected);
        Assert.Equal(0, LatencySummary.From(counters.SendLag.Total()).Max);
    }

    [Fact]
    public void A_one_second_stall_shows_up_in_the_corrected_percentiles()
    {
        // The server stops answering from t = 2 s to t = 3 s.
        var (counters, _, server) = Run(stallFrom: 2_000_000, stallUntil: 3_000_000);
        var corrected = LatencySummary.From(counters.Latency.Total());
        var uncorrected = LatencySummary.From(counters.ServiceTime.Total());

        // Every scheduled call was sent, late or not: the schedule does not bend to the server.
        Assert.Equal(10_000, server.Calls);
        Assert.Equal(10_000, corrected.Count);
        Assert.Equal(0, counters.ErrorCount);

        // Uncorrected, the stall is one slow call among 10,000: the percentiles hide it, only the maximum shows it.
        Assert.Equal(100, uncorrected.P99);
        Assert.InRange(uncorrected.Max, 1_000_000, 1_001_000);

        // Corrected, about 1,100 calls (those scheduled during the stall and while the backlog drained) waited
        // between 1 s and 0 s: p90 is still fast, p99 and p99.9 are most of a second.
        Assert.True(corrected.P90 < 200_000, $"p90 {corrected.P90}");
        Assert.InRange(corrected.P99, 800_000, 1_001_000);
        Assert.InRange(corrected.P999, 980_000, 1_001_000);
        Assert.InRange(corrected.Max, 999_000, 1_001_000);
        Assert.True(corrected.Mean > 40 * uncorrected.Mean, $"mean {corrected.Mean} vs {uncorrected.Mean}");

        // The generator's own lateness is reported too.
        Assert.InRange(LatencySummary.From(counters.SendLag.Total()).Max, 990_000, 1_001_000);
    }

    /// <summary>Never answers: the call holds its slot.</summary>
    private sealed class SilentServer : ICallDriver
    {
        public int ChecksPerCall => 1;
        public Task<CallOutcome> SendAsync(Random random, CancellationToken cancellationToken) => new TaskCompletionSource<CallOutcome>().Task;
    }

    [Fact]
    public void Calls_that_cannot_be_sent_before_the_step_gives_up_are_counted_as_not_sent()
    {
        var counters = new StepCounters();
        // 1,000 calls/s for 100 ms with one slot; the first call never answers, so the other 99 are never sent.
        // The step gives up 100 ms after its end (a short real wait).
        OpenLoopRunner.Dispatch(new SilentServer(), 1_000, TimeSpan.FromMilliseconds(100), maxInFlight: 1, TimeSpan.FromMilliseconds(100),
            counters, new VirtualClock(), new Random(1), CancellationToken.None);
        Assert.Equal(99, counters.Calls);
        Assert.Equal(99, counters.Errors[StepCounters.NotSent]);
        Assert.Contains("could not be sent", counters.ErrorExamples[StepCounters.NotSent], StringComparison.Ordinal);
        Assert.Equal(0, counters.Latency.Total().TotalCount);
    }
}
