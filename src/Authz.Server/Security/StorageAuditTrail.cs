using System.Data.Common;
using System.Globalization;
using Authz.Grains;
using Authz.Storage;
using Authz.V1;
using Google.Protobuf.WellKnownTypes;
using Orleans.Hosting;
using Orleans.Runtime;
using AuditContext = Authz.Grains.AuditContext;

namespace Authz.Server.Security;

/// <summary>
/// Writes audit records into <c>audit_events</c>, in the transaction of the grain state write that makes the change
/// (<see cref="StorageWriteScope"/>), completes the revisions of an entity change's record in the transaction of the
/// tenant's revision bump, and reads them back for <c>ListAuditEvents</c>.
/// </summary>
public sealed class StorageAuditTrail(IServiceProvider services) : IAuditTrail
{
    private const string InsertSql = """
        INSERT INTO audit_events (service_id, tenant_id, occurred_at, caller_arn, access_key_id, rpc, target_arn, request_id, revision_before, revision_after)
        VALUES (@service_id, @tenant_id, @occurred_at, @caller_arn, @access_key_id, @rpc, @target_arn, @request_id, @revision_before, @revision_after)
        RETURNING seq
        """;

    private const string CompleteSql = """
        UPDATE audit_events SET revision_before = @revision_before, revision_after = @revision_after
        WHERE service_id = @service_id AND seq = @seq
        """;

    private const string SelectSql = """
        SELECT seq, occurred_at, caller_arn, access_key_id, rpc, target_arn, request_id, revision_before, revision_after
        FROM audit_events
        WHERE service_id = @service_id AND tenant_id = @tenant_id AND seq > @after AND occurred_at >= @start AND occurred_at < @end
        ORDER BY seq
        LIMIT @limit
        """;

    public IDisposable? Enlist(string tenantId, ulong revisionBefore, ulong revisionAfter) =>
        RequestContext.Get(AuditContext.Key) is AuditContext call ? EnlistInsert(call, tenantId, revisionBefore, revisionAfter, inserted: null) : null;

    public PendingAuditRecord? EnlistChange(string tenantId)
    {
        if (RequestContext.Get(AuditContext.Key) is not AuditContext call)
        {
            return null;
        }

        // Revisions 0 until the tenant's bump completes them; a record that keeps them is a change whose bump failed.
        var record = new PendingAuditRecord();
        record.Enlistment = EnlistInsert(call, tenantId, 0, 0, seq => record.EventId = seq);
        return record;
    }

    public IDisposable? EnlistRevisions(long eventId, ulong revisionBefore, ulong revisionAfter) =>
        StorageWriteScope.Enlist(async (tx, ct) =>
        {
            await using var command = tx.CreateCommand(CompleteSql,
                ("revision_before", (long)revisionBefore), ("revision_after", (long)revisionAfter), ("service_id", tx.ServiceId), ("seq", eventId));
            if (await command.ExecuteNonQueryAsync(ct) != 1)
            {
                // The record is written with the change, before the bump is asked for: its absence is a bug, and the
                // bump is refused rather than committed without its record.
                throw new InvalidOperationException($"audit event {eventId} does not exist; the revision bump is not committed");
            }
        });

    private static StorageWriteScope EnlistInsert(AuditContext call, string tenantId, ulong revisionBefore, ulong revisionAfter, Action<long>? inserted)
    {
        var at = DateTimeOffset.UtcNow;
        return StorageWriteScope.Enlist(async (tx, ct) =>
        {
            await using var command = tx.CreateCommand(InsertSql,
                ("service_id", tx.ServiceId), ("tenant_id", tenantId), ("occurred_at", Timestamp(tx.Provider, at)),
                ("caller_arn", call.CallerArn), ("access_key_id", call.AccessKeyId), ("rpc", call.Rpc), ("target_arn", call.TargetArn),
                ("request_id", call.RequestId), ("revision_before", (long)revisionBefore), ("revision_after", (long)revisionAfter));
            var seq = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            inserted?.Invoke(seq);
        });
    }

    /// <summary>Up to <paramref name="limit"/> events of <paramref name="tenantId"/> after event <paramref name="afterId"/>, oldest first.</summary>
    public Task<List<AuditEvent>> ReadAsync(string tenantId, ulong afterId, int limit, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        services.GetAuthzGrainStorage().QueryAsync(async (connection, serviceId, ct) =>
        {
            var provider = connection.GetType().Name.StartsWith("Sqlite", StringComparison.Ordinal) ? StorageProviderKind.Sqlite : StorageProviderKind.Postgres;
            await using var command = connection.CreateCommand();
            command.CommandText = SelectSql;
            Add(command, "service_id", serviceId);
            Add(command, "tenant_id", tenantId);
            Add(command, "after", (long)afterId);
            Add(command, "start", Timestamp(provider, start));
            Add(command, "end", Timestamp(provider, end));
            Add(command, "limit", limit);
            var events = new List<AuditEvent>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var occurred = reader.GetValue(1) switch
                {
                    DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
                    DateTimeOffset dto => dto,
                    var text => DateTimeOffset.Parse(Convert.ToString(text, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
                };
                events.Add(new AuditEvent
                {
                    EventId = (ulong)reader.GetInt64(0),
                    TenantId = tenantId,
                    EventTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(occurred),
                    CallerArn = reader.GetString(2),
                    AccessKeyId = reader.GetString(3),
                    Rpc = reader.GetString(4),
                    TargetArn = reader.GetString(5),
                    RequestId = reader.GetString(6),
                    RevisionBefore = (ulong)reader.GetInt64(7),
                    RevisionAfter = (ulong)reader.GetInt64(8),
                });
            }

            return events;
        }, cancellationToken);

    /// <summary>SQLite keeps fixed-width ISO-8601 text (so text order is time order); PostgreSQL a timestamptz.</summary>
    private static object Timestamp(StorageProviderKind provider, DateTimeOffset value) => provider == StorageProviderKind.Sqlite
        ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
        : value.UtcDateTime;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
