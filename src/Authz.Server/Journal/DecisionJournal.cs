using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Authz.Grains.Decisions;
using Authz.Server.Security;
using Authz.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Authz.Server.Journal;

/// <summary>
/// The decision log: answered checks as JSON Lines files (<see cref="JournalFiles"/>). The check path only samples and
/// offers a record to a bounded queue with <c>TryWrite</c>; when the queue is full the record is dropped and counted
/// (<c>authz.decision_log.dropped</c>), so the log never blocks or slows a check. One background writer formats and
/// appends; a graceful stop drains the queue. A record holds who asked about what and the answer, never the request
/// context: its values are the caller's data (tokens, personal data in tags) and are not the service's to keep. The
/// caller's credentials are never part of a check, so they cannot reach the log.
/// </summary>
public sealed class DecisionJournal : IHostedService
{
    private static readonly Counter<long> DroppedCounter = DecisionCache.Meter.CreateCounter<long>("authz.decision_log.dropped",
        description: "Decision log records dropped because the queue was full or the file could not be written");

    private static readonly Counter<long> WrittenCounter = DecisionCache.Meter.CreateCounter<long>("authz.decision_log.written",
        description: "Decision log records written");

    private readonly DecisionJournalMode _mode;
    private readonly double _sampleRate;
    private readonly Random _sampler;
    private readonly Channel<DecisionRecord> _queue;
    private readonly JournalFiles _files;
    private readonly ILogger _logger;
    private Task? _writer;
    private long _dropped;
    private long _written;

    public DecisionJournal(IOptions<DecisionJournalOptions> options, ILogger<DecisionJournal> logger)
        : this(options.Value, logger, Random.Shared, JournalFiles.OpenFile)
    {
    }

    /// <summary>With the sampler's random source and the way files are opened given, for tests.</summary>
    internal DecisionJournal(DecisionJournalOptions options, ILogger logger, Random sampler, Func<string, Stream> openFile)
    {
        var directory = options.Directory;
        if (options.Mode != DecisionJournalMode.Off && string.IsNullOrWhiteSpace(directory))
        {
            throw new OptionsValidationException(DecisionJournalOptions.SectionName, typeof(DecisionJournalOptions),
                [$"{DecisionJournalOptions.SectionName}:Directory is required when the decision log is on"]);
        }

        _mode = options.Mode;
        _sampleRate = options.SampleRate;
        _sampler = sampler;
        _logger = logger;
        _queue = Channel.CreateBounded<DecisionRecord>(new BoundedChannelOptions(options.QueueCapacity)
        {
            // Wait makes TryWrite refuse when full, so that the journal, not the channel, counts the drop.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _files = new JournalFiles(directory ?? "", options.MaxFileBytes, options.MaxFiles, openFile, logger);
    }

    /// <summary>Records dropped since the start: queue full, or the file could not be written.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records written since the start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records one answered check, if the mode and the sample say so. Never blocks; when off, one branch.</summary>
    public void Record(ServerCallContext call, AuthorizeRequest request, AuthorizeResponse response, string tenantId, TimeSpan latency)
    {
        if (_mode == DecisionJournalMode.Off)
        {
            return;
        }

        RecordSampled(call, request, response, tenantId, latency);
    }

    private void RecordSampled(ServerCallContext call, AuthorizeRequest request, AuthorizeResponse response, string tenantId, TimeSpan latency)
    {
        if (_mode == DecisionJournalMode.Sampled && !(_sampler.NextDouble() < _sampleRate))
        {
            return;
        }

        var record = new DecisionRecord(DateTime.UtcNow, RequestIds.Of(call), CallerIdentity.Of(call).Arn, tenantId,
            request.Principal, request.Action, request.Resource, response, latency);
        if (!_queue.Writer.TryWrite(record))
        {
            Drop();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_mode != DecisionJournalMode.Off)
        {
            // A directory that cannot be created stops the start with its path, rather than losing every record.
            _files.Initialize();
            _writer = Task.Run(WriteAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Refuses further records and waits until the writer has written the queued ones, or the stop times out.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is null)
        {
            return;
        }

        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            JournalLog.StopTimedOut(_logger, _queue.Reader.Count);
        }
    }

    private async Task WriteAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        await using var json = new Utf8JsonWriter(buffer);
        var failing = false;
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var record))
                {
                    buffer.ResetWrittenCount();
                    json.Reset(buffer);
                    try
                    {
                        record.WriteTo(json);
                        json.Flush();
                        buffer.Write("\n"u8);
                        await _files.AppendAsync(buffer.WrittenMemory);
                        Interlocked.Increment(ref _written);
                        WrittenCounter.Add(1);
                        failing = false;
                    }
                    catch (Exception ex)
                    {
                        Drop();
                        if (!failing)
                        {
                            // Once per run of failures: a full disk must not flood the log too.
                            JournalLog.WriteFailed(_logger, ex);
                            failing = true;
                        }
                    }
                }

                try
                {
                    await _files.FlushAsync();
                }
                catch (Exception ex) when (!failing)
                {
                    JournalLog.WriteFailed(_logger, ex);
                    failing = true;
                }
                catch (Exception)
                {
                    // Reported when the failures began.
                }
            }
        }
        finally
        {
            await _files.DisposeAsync();
        }
    }

    private void Drop()
    {
        Interlocked.Increment(ref _dropped);
        DroppedCounter.Add(1);
    }
}

/// <summary>
/// One answered check. The response is referenced, not copied: it is complete when recorded and only read afterwards.
/// </summary>
internal readonly record struct DecisionRecord(DateTime Time, string RequestId, string Caller, string Tenant,
    string Principal, string Action, string Resource, AuthorizeResponse Response, TimeSpan Latency)
{
    /// <summary>Writes the record as one JSON object.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("time"u8, Time);
        json.WriteString("requestId"u8, RequestId);
        json.WriteString("caller"u8, Caller);
        json.WriteString("tenant"u8, Tenant);
        json.WriteString("principal"u8, Principal);
        json.WriteString("action"u8, Action);
        json.WriteString("resource"u8, Resource);
        json.WriteString("decision"u8, Response.Decision.ToString());
        json.WriteStartArray("determining"u8);
        foreach (var statement in Response.Determining)
        {
            json.WriteStartObject();
            json.WriteString("policy"u8, statement.Policy);
            if (statement.Version.Length > 0)
            {
                json.WriteString("version"u8, statement.Version);
            }

            if (statement.Sid.Length > 0)
            {
                json.WriteString("sid"u8, statement.Sid);
            }

            json.WriteNumber("index"u8, statement.StatementIndex);
            json.WriteString("type"u8, statement.PolicyType.ToString());
            if (statement.AttachedTo.Length > 0)
            {
                json.WriteString("attachedTo"u8, statement.AttachedTo);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (Response.Reason.Length > 0)
        {
            json.WriteString("reason"u8, Response.Reason);
        }

        json.WriteNumber("revision"u8, Response.Revision);
        json.WriteNumber("latencyMs"u8, Math.Round(Latency.TotalMilliseconds, 3));
        json.WriteEndObject();
    }
}

/// <summary>Log messages of the decision log, event ids 3201-3209.</summary>
internal static partial class JournalLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "The decision log could not write; records are dropped and counted until a write succeeds")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "The decision log could not delete the old file {Path}")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "The shutdown timed out before the decision log was written; {Count} queued records are lost")]
    public static partial void StopTimedOut(ILogger logger, int count);
}
