using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Authz.Benchmarks;

/// <summary>
/// Bytes the in-process server allocates per check. BenchmarkDotNet's allocation column counts every thread of the
/// process, so with the client in the same process it is client plus server. This measurement drives the server with
/// an <see cref="H2cUnaryConnection"/>, which allocates nothing per call, and takes the process's
/// <c>GC.GetTotalAllocatedBytes(precise: true)</c> delta over many calls, less what the calling thread allocated
/// (<c>GC.GetAllocatedBytesForCurrentThread</c>: a few bytes in all, or the measurement stops). What remains is Kestrel,
/// the gRPC framework, the interceptors, the handler and the decision path, plus the silo's background work during the
/// calls (Orleans' timers: tens of kilobytes a second when idle, under 1% of these figures).
/// </summary>
/// <remarks>
/// It runs in the benchmark's <c>[GlobalSetup]</c>, that is in BenchmarkDotNet's benchmark process, and prints its
/// result on a line that <see cref="ServerAllocationColumn"/> reads back in the host process.
/// </remarks>
public static class ServerAllocations
{
    /// <summary>The prefix of the line that carries the result to <see cref="ServerAllocationColumn"/>.</summary>
    public const string OutputPrefix = "authz-server-allocated-bytes-per-check: ";

    /// <summary>Checks measured in all; a call of a batch counts its checks.</summary>
    private const int MeasuredChecks = 20_000;

    /// <summary>
    /// Measures the server's allocations per check for calls of <paramref name="path"/> with <paramref name="message"/>,
    /// each holding <paramref name="checksPerCall"/> checks, after <paramref name="verify"/> accepted the response. Calls
    /// are signed with <paramref name="apiKey"/>, by default the administrator's.
    /// </summary>
    public static Task<double> MeasureAsync(int port, string path, byte[] message, int checksPerCall, VerifyResponse verify,
        string apiKey = BenchmarkServer.AdminKey) =>
        // A thread of its own: the calls block, and the server needs the thread pool.
        Task.Factory.StartNew(() => Measure(port, path, message, checksPerCall, verify, apiKey), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Throws unless <paramref name="message"/> is the expected response.</summary>
    public delegate void VerifyResponse(ReadOnlySpan<byte> message);

    private static double Measure(int port, string path, byte[] message, int checksPerCall, VerifyResponse verify, string apiKey)
    {
        using var connection = H2cUnaryConnection.Open(port, path, "Bearer " + apiKey, message);
        verify(connection.Call());
        var calls = MeasuredChecks / checksPerCall;
        for (var i = 0; i < calls / 4; i++)
        {
            connection.Call();
        }

        var clientBefore = GC.GetAllocatedBytesForCurrentThread();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            connection.Call();
        }

        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        var client = GC.GetAllocatedBytesForCurrentThread() - clientBefore;
        if (client >= calls)
        {
            throw new InvalidOperationException($"the measuring client allocated {client} bytes in {calls} calls; it must allocate nothing per call");
        }

        var perCheck = (double)(total - client) / (calls * checksPerCall);
        Console.WriteLine(OutputPrefix + perCheck.ToString("F1", CultureInfo.InvariantCulture));
        return perCheck;
    }
}

/// <summary>The "Server alloc/check" column: what <see cref="ServerAllocations"/> printed in the benchmark's process.</summary>
public sealed class ServerAllocationColumn : IColumn
{
    public string Id => nameof(ServerAllocationColumn);
    public string ColumnName => "Server alloc/check";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Metric;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Size;
    public string Legend => "Bytes the server allocated per check (per call for Health/Check), measured apart from the client: see ServerAllocations";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var line = summary[benchmarkCase]?.ExecuteResults
            .SelectMany(result => result.StandardOutput ?? [])
            .LastOrDefault(l => l.StartsWith(ServerAllocations.OutputPrefix, StringComparison.Ordinal));
        return line is null
            ? "?"
            : double.Parse(line.AsSpan(ServerAllocations.OutputPrefix.Length), CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture) + " B";
    }

    public override string ToString() => ColumnName;
}

/// <summary>Adds <see cref="ServerAllocationColumn"/> to a suite.</summary>
public sealed class ServerAllocationConfig : ManualConfig
{
    public ServerAllocationConfig() => AddColumn(new ServerAllocationColumn());
}
