namespace Authz.Grains;

/// <summary>
/// Records admin changes in the storage transaction of the grain state write that makes them. A change made by the
/// tenant grain itself (tenant, guardrails) or by an access key is one write: <see cref="Enlist"/> joins the record to
/// it. A change of any other entity is two writes, the entity's state and then the tenant's revision bump:
/// <see cref="EnlistChange"/> joins the record to the entity's write, and <see cref="EnlistRevisions"/> completes its
/// revisions in the tenant's, so a failure between the two can leave a change without its revision bump but never a
/// change without its record, nor a record without its change. The host decides where records go; without a host
/// implementation nothing is recorded.
/// </summary>
public interface IAuditTrail
{
    /// <summary>
    /// Joins an audit record of the current call (from the Orleans request context) to the next state write in this
    /// async flow; null when the call carries no audit context (internal work). Dispose after the write.
    /// </summary>
    IDisposable? Enlist(string tenantId, ulong revisionBefore, ulong revisionAfter);

    /// <summary>
    /// Joins an audit record of the current call to the next state write in this async flow, the entity write of a
    /// change, with revisions 0 until <see cref="EnlistRevisions"/> completes them; null when the call carries no audit
    /// context. Once the write has committed, <see cref="PendingAuditRecord.EventId"/> names the record.
    /// </summary>
    PendingAuditRecord? EnlistChange(string tenantId);

    /// <summary>Joins the completion of record <paramref name="eventId"/>'s revisions to the next state write in this async flow.</summary>
    IDisposable? EnlistRevisions(long eventId, ulong revisionBefore, ulong revisionAfter);
}

/// <summary>An audit record joined to the state write of a change; dispose after the write.</summary>
public sealed class PendingAuditRecord : IDisposable
{
    /// <summary>Set by the trail: the enlistment in the write.</summary>
    public IDisposable? Enlistment { get; set; }

    /// <summary>The record's id once the write has committed; 0 before.</summary>
    public long EventId { get; set; }

    public void Dispose() => Enlistment?.Dispose();
}

/// <summary>The default: records nothing.</summary>
public sealed class NoAuditTrail : IAuditTrail
{
    public IDisposable? Enlist(string tenantId, ulong revisionBefore, ulong revisionAfter) => null;

    public PendingAuditRecord? EnlistChange(string tenantId) => null;

    public IDisposable? EnlistRevisions(long eventId, ulong revisionBefore, ulong revisionAfter) => null;
}

/// <summary>
/// Who made the call and what it was, set by the gRPC layer in the Orleans request context so that it reaches the
/// grain that commits the change. Never holds a secret.
/// </summary>
[GenerateSerializer, Immutable, Alias("authz.audit-context.v1")]
public sealed record AuditContext
{
    /// <summary>The request context key.</summary>
    public const string Key = "authz.audit";

    [Id(0)] public required string CallerArn { get; init; }
    [Id(1)] public string AccessKeyId { get; init; } = "";
    /// <summary>The RPC, e.g. <c>CreateUser</c>.</summary>
    [Id(2)] public required string Rpc { get; init; }
    [Id(3)] public required string TargetArn { get; init; }
    [Id(4)] public required string RequestId { get; init; }
}
