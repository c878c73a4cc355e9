using System.Collections.Concurrent;
using Authz.V1;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// The result of one call: how many checks it carried, the decisions received, how many differed from the expected
/// ones, or the error that ended it. A mismatch example is kept for the report.
/// </summary>
public readonly record struct CallOutcome(int Checks, DecisionCounts Decisions, int Mismatches, string? Error, string? Detail)
{
    /// <summary>A call that failed with <paramref name="error"/> (a gRPC status code name, or a generator condition such as <c>NotSent</c>).</summary>
    public static CallOutcome Failed(int checks, string error, string? detail) => new(checks, default, 0, error, detail);

    /// <summary>Whether the call completed (whatever its decisions).</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Decisions received, by kind.</summary>
public readonly record struct DecisionCounts(int Allow, int ExplicitDeny, int ImplicitDeny, int Unspecified)
{
    /// <summary>One decision.</summary>
    public static DecisionCounts Of(Decision decision) => decision switch
    {
        Decision.Allow => new(1, 0, 0, 0),
        Decision.ExplicitDeny => new(0, 1, 0, 0),
        Decision.ImplicitDeny => new(0, 0, 1, 0),
        _ => new(0, 0, 0, 1),
    };

    /// <summary>The sum of two counts.</summary>
    public static DecisionCounts operator +(DecisionCounts a, DecisionCounts b) =>
        new(a.Allow + b.Allow, a.ExplicitDeny + b.ExplicitDeny, a.ImplicitDeny + b.ImplicitDeny, a.Unspecified + b.Unspecified);
}

/// <summary>
/// Everything measured in one step, written concurrently by the calls: latency histograms, counts of calls, checks,
/// decisions, mismatches and errors by status code, with a few examples of each problem.
/// </summary>
public sealed class StepCounters
{
    private const int MaxExamples = 5;

    private long _calls;
    private long _checks;
    private long _mismatches;
    private long _allow;
    private long _explicitDeny;
    private long _implicitDeny;
    private long _unspecified;
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _errorExamples = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _mismatchExamples = new();

    /// <summary>Latency of successful calls: from the intended send time (open loop) or the send (closed loop).</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Open loop only: latency from the actual send, i.e. without the correction for coordinated omission.</summary>
    public LatencyRecorder ServiceTime { get; } = new();

    /// <summary>Open loop only: how late each call was sent after its intended time.</summary>
    public LatencyRecorder SendLag { get; } = new();

    /// <summary>Completed calls (successful or not).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Checks in successful calls (one per call for Authorize, the batch size for BatchAuthorize).</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>Checks whose decision differed from the expected one.</summary>
    public long Mismatches => Interlocked.Read(ref _mismatches);

    /// <summary>Failed calls in total.</summary>
    public long ErrorCount => _errors.Values.Sum();

    /// <summary>Failed calls by status code name.</summary>
    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);

    /// <summary>The first message seen for each status code.</summary>
    public IReadOnlyDictionary<string, string> ErrorExamples => new SortedDictionary<string, string>(_errorExamples, StringComparer.Ordinal);

    /// <summary>The first few mismatches, described.</summary>
    public IReadOnlyList<string> MismatchExamples => [.. _mismatchExamples];

    /// <summary>Decisions received, by name.</summary>
    public IReadOnlyDictionary<string, long> Decisions => new SortedDictionary<string, long>(StringComparer.Ordinal)
    {
        ["Allow"] = Interlocked.Read(ref _allow),
        ["ExplicitDeny"] = Interlocked.Read(ref _explicitDeny),
        ["ImplicitDeny"] = Interlocked.Read(ref _implicitDeny),
        ["Unspecified"] = Interlocked.Read(ref _unspecified),
    };

    /// <summary>Counts one finished call; records its latency when it succeeded.</summary>
    public void Record(in CallOutcome outcome, long latencyMicroseconds)
    {
        Interlocked.Increment(ref _calls);
        if (outcome.Error is { } error)
        {
            _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);
            if (outcome.Detail is { } detail)
                _errorExamples.TryAdd(error, detail);
            return;
        }
        Latency.RecordMicroseconds(latencyMicroseconds);
        Interlocked.Add(ref _checks, outcome.Checks);
        var d = outcome.Decisions;
        if (d.Allow != 0) Interlocked.Add(ref _allow, d.Allow);
        if (d.ExplicitDeny != 0) Interlocked.Add(ref _explicitDeny, d.ExplicitDeny);
        if (d.ImplicitDeny != 0) Interlocked.Add(ref _implicitDeny, d.ImplicitDeny);
        if (d.Unspecified != 0) Interlocked.Add(ref _unspecified, d.Unspecified);
        if (outcome.Mismatches != 0)
        {
            Interlocked.Add(ref _mismatches, outcome.Mismatches);
            if (outcome.Detail is { } example && _mismatchExamples.Count < MaxExamples)
                _mismatchExamples.Enqueue(example);
        }
    }

    /// <summary>Counts calls that were scheduled but never sent (open loop that could not keep up).</summary>
    public void RecordNotSent(long calls, string detail)
    {
        if (calls <= 0)
            return;
        Interlocked.Add(ref _calls, calls);
        _errors.AddOrUpdate(NotSent, calls, (_, n) => n + calls);
        _errorExamples.TryAdd(NotSent, detail);
    }

    /// <summary>The error name of calls the open loop scheduled but could not send before the step ended.</summary>
    public const string NotSent = "NotSent";
}
