using System.Diagnostics.Metrics;
using System.Text.Json;
using Authz.Server.Journal;
using Authz.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Authz.Server.Tests.Journal;

/// <summary>The decision log on its own: what a record holds, sampling, rotation and retention, and dropping when full.</summary>
public sealed class DecisionJournalTests : IDisposable
{
    private const string Tenant = "111122223333";
    private const string Caller = "arn:aws:iam::111122223333:user/platform";
    private readonly string _directory = ServerHost.NewTempDirectory();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Full_writes_every_check_as_one_JSON_line_with_the_answer_and_what_decided_it()
    {
        var journal = Journal(DecisionJournalMode.Full);
        await journal.StartAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            Record(journal, i);
        }

        await journal.StopAsync(CancellationToken.None);

        var lines = Lines();
        Assert.Equal(50, lines.Count);
        Assert.Equal(50, journal.Written);
        Assert.Equal(0, journal.Dropped);
        for (var i = 0; i < lines.Count; i++)
        {
            using var record = JsonDocument.Parse(lines[i]);
            var root = record.RootElement;
            Assert.Equal($"req-{i}", root.GetProperty("requestId").GetString());
            Assert.Equal(Caller, root.GetProperty("caller").GetString());
            Assert.Equal(Tenant, root.GetProperty("tenant").GetString());
            Assert.Equal($"arn:aws:iam::{Tenant}:user/alice", root.GetProperty("principal").GetString());
            Assert.Equal("s3:GetObject", root.GetProperty("action").GetString());
            Assert.Equal($"arn:aws:s3:::data/{i}", root.GetProperty("resource").GetString());
            Assert.Equal(i % 2 == 0 ? "Allow" : "ImplicitDeny", root.GetProperty("decision").GetString());
            Assert.Equal((ulong)(100 + i), root.GetProperty("revision").GetUInt64());
            Assert.Equal(0.25, root.GetProperty("latencyMs").GetDouble());
            Assert.True(Math.Abs((DateTime.UtcNow - root.GetProperty("time").GetDateTime()).TotalMinutes) < 5);
            Assert.False(root.TryGetProperty("context", out _));
            if (i % 2 == 0)
            {
                var statement = Assert.Single(root.GetProperty("determining").EnumerateArray());
                Assert.Equal($"arn:aws:iam::{Tenant}:policy/Read", statement.GetProperty("policy").GetString());
                Assert.Equal("v2", statement.GetProperty("version").GetString());
                Assert.Equal("ReadData", statement.GetProperty("sid").GetString());
                Assert.Equal(1, statement.GetProperty("index").GetInt32());
                Assert.Equal("Identity", statement.GetProperty("type").GetString());
            }
            else
            {
                Assert.Empty(root.GetProperty("determining").EnumerateArray());
                Assert.Equal("no statement allows the request", root.GetProperty("reason").GetString());
            }
        }
    }

    [Fact]
    public async Task Sampled_records_the_configured_share_of_checks()
    {
        // The random source returns 0.00, 0.01, ..., 0.99 in turn, so exactly a quarter fall under 0.25.
        var journal = Journal(DecisionJournalMode.Sampled, o => o.SampleRate = 0.25, sampler: new SequenceRandom(100));
        await journal.StartAsync(CancellationToken.None);
        for (var i = 0; i < 1000; i++)
        {
            Record(journal, i);
        }

        await journal.StopAsync(CancellationToken.None);

        var sampled = Lines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("requestId").GetString()).ToList();
        Assert.Equal(250, sampled.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 100 < 25).Select(i => $"req-{i}"), sampled);
    }

    [Fact]
    public async Task Off_records_nothing_allocates_nothing_and_creates_no_directory()
    {
        var journal = Journal(DecisionJournalMode.Off);
        await journal.StartAsync(CancellationToken.None);
        var (call, request, response) = Check(0);
        journal.Record(call, request, response, Tenant, TimeSpan.Zero);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            journal.Record(call, request, response, Tenant, TimeSpan.Zero);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        await journal.StopAsync(CancellationToken.None);
        Assert.False(Directory.Exists(_directory));
        Assert.Equal(0, journal.Written + journal.Dropped);
    }

    [Fact]
    public async Task Files_rotate_by_size_and_at_most_MaxFiles_are_kept_across_restarts()
    {
        const int maxFileBytes = 4096;
        for (var run = 0; run < 2; run++)
        {
            var journal = Journal(DecisionJournalMode.Full, o => (o.MaxFileBytes, o.MaxFiles) = (maxFileBytes, 3));
            await journal.StartAsync(CancellationToken.None);
            for (var i = 0; i < 200; i++)
            {
                Record(journal, run * 1000 + i);
            }

            await journal.StopAsync(CancellationToken.None);
            Assert.Equal(200, journal.Written);
        }

        var files = Directory.GetFiles(_directory).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, maxFileBytes));
        Assert.All(files, f => Assert.Matches(@"decisions-\d{8}\.jsonl$", f));
        // The newest are kept: the last record of the second run is in the last file, and the kept lines are consecutive.
        var ids = files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("requestId").GetString()).ToList();
        Assert.Equal("req-1199", ids[^1]);
        var first = int.Parse(ids[0]!["req-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(first, ids.Count).Select(i => $"req-{i}"), ids);
        Assert.True(ids.Count < 200, "three 4 KiB files cannot hold 200 records");
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_without_waiting_for_the_stalled_writer()
    {
        using var meter = new DroppedMeasurements();
        var stream = new StalledStream();
        var journal = Journal(DecisionJournalMode.Full, o => o.QueueCapacity = 10, openFile: _ => stream);
        await journal.StartAsync(CancellationToken.None);
        Record(journal, 0);
        await stream.WriteEntered.Task.WaitAsync(TimeSpan.FromMinutes(1)); // the writer holds record 0 and is stuck

        // On a thread of its own so that a Record that blocked would fail the test instead of hanging it.
        await Task.Run(() =>
        {
            for (var i = 1; i <= 100; i++)
            {
                Record(journal, i);
            }
        }).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(90, journal.Dropped); // 10 queued behind the stalled write, the other 90 dropped
        Assert.True(meter.Total >= 90, $"the dropped records are counted in authz.decision_log.dropped ({meter.Total})");

        stream.Release();
        await journal.StopAsync(CancellationToken.None);
        Assert.Equal(11, journal.Written);
        var written = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"req-{i}"),
            written.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task A_failing_file_drops_and_counts_its_record_and_the_next_record_starts_a_new_file()
    {
        var opened = new List<KeptStream>();
        var journal = Journal(DecisionJournalMode.Full, openFile: _ =>
        {
            opened.Add(opened.Count == 0 ? new FailingStream() : new KeptStream());
            return opened[^1];
        });
        await journal.StartAsync(CancellationToken.None);
        Record(journal, 0);
        Record(journal, 1);
        await journal.StopAsync(CancellationToken.None);

        Assert.Equal(1, journal.Dropped);
        Assert.Equal(1, journal.Written);
        Assert.Equal(2, opened.Count);
        Assert.Contains("\"req-1\"", System.Text.Encoding.UTF8.GetString(opened[1].ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_is_required_when_the_log_is_on()
    {
        var options = new DecisionJournalOptions { Mode = DecisionJournalMode.Full, Directory = " " };
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new DecisionJournal(options, NullLogger.Instance, Random.Shared, JournalFiles.OpenFile));
        Assert.Contains("Authz:DecisionLog:Directory", error.Message, StringComparison.Ordinal);
    }

    private DecisionJournal Journal(DecisionJournalMode mode, Action<DecisionJournalOptions>? configure = null, Random? sampler = null,
        Func<string, Stream>? openFile = null)
    {
        var options = new DecisionJournalOptions { Mode = mode, Directory = _directory };
        configure?.Invoke(options);
        return new DecisionJournal(options, NullLogger.Instance, sampler ?? Random.Shared, openFile ?? JournalFiles.OpenFile);
    }

    /// <summary>Check i: even ones are allowed by a statement, odd ones implicitly denied.</summary>
    private static void Record(DecisionJournal journal, int i)
    {
        var (call, request, response) = Check(i);
        journal.Record(call, request, response, Tenant, TimeSpan.FromMicroseconds(250));
    }

    private static (TestCallContext Call, AuthorizeRequest Request, AuthorizeResponse Response) Check(int i)
    {
        var request = new AuthorizeRequest
        {
            Principal = $"arn:aws:iam::{Tenant}:user/alice",
            Action = "s3:GetObject",
            Resource = $"arn:aws:s3:::data/{i}",
            Context = { ["aws:SourceIp"] = new ContextValues { Values = { "10.0.0.1" } } },
        };
        var response = new AuthorizeResponse { Revision = (ulong)(100 + i) };
        if (i % 2 == 0)
        {
            response.Decision = Decision.Allow;
            response.Determining.Add(new StatementReference
            {
                Policy = $"arn:aws:iam::{Tenant}:policy/Read", Version = "v2", Sid = "ReadData", StatementIndex = 1, PolicyType = PolicyType.Identity,
            });
        }
        else
        {
            response.Decision = Decision.ImplicitDeny;
            response.Reason = "no statement allows the request";
        }

        return (new TestCallContext($"req-{i}", Caller), request, response);
    }

    private List<string> Lines() =>
        Directory.GetFiles(_directory).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).ToList();

    /// <summary>0, 1/n, 2/n, ... in turn.</summary>
    private sealed class SequenceRandom(int n) : Random
    {
        private int _next;

        public override double NextDouble() => (double)(_next++ % n) / n;
    }

    /// <summary>A stream whose first write waits until <see cref="Release"/>.</summary>
    private sealed class StalledStream : KeptStream
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WriteEntered.TrySetResult();
            await _gate.Task;
            await base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A memory stream whose bytes stay readable after the journal closes it.</summary>
    private class KeptStream : MemoryStream
    {
        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class FailingStream : KeptStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("no space left on device"));
    }

    /// <summary>Sums <c>authz.decision_log.dropped</c> while alive (from every journal in the process).</summary>
    private sealed class DroppedMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public DroppedMeasurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "authz.decision_log.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
