namespace Authz.Grains;

/// <summary>
/// Records admin changes in the same storage transaction as the grain state write that makes them. The grains call
/// <see cref="Enlist"/> around the write that advances a tenant's revision (and around access key writes); the host
/// decides where the record goes. Without a host implementation nothing is recorded.
/// </summary>
public interface IAuditTrail
{
    /// <summary>
    /// Joins an audit record of the current call (from the Orleans request context) to the next state write in this
    /// async flow; null when the call carries no audit context (internal work). Dispose after the write.
    /// </summary>
    IDisposable? Enlist(string tenantId, ulong revisionBefore, ulong revisionAfter);
}

/// <summary>The default: records nothing.</summary>
public sealed class NoAuditTrail : IAuditTrail
{
    public IDisposable? Enlist(string tenantId, ulong revisionBefore, ulong revisionAfter) => null;
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
