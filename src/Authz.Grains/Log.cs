using Microsoft.Extensions.Logging;

namespace Authz.Grains;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Could not drop the reverse reference of {Entity} from {Target}; it stays as a harmless superset entry")]
    public static partial void ReverseReferenceKept(ILogger logger, Exception exception, string entity, string target);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Could not invalidate {Principal} after a change to {Source}")]
    public static partial void InvalidationFailed(ILogger logger, Exception exception, string principal, string source);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information,
        Message = "Dropped stale reverse reference {Reference} from {Target}")]
    public static partial void StaleReferenceDropped(ILogger logger, string reference, string target);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug,
        Message = "Built the policy set of {Principal} at revision {Revision} ({Documents} documents)")]
    public static partial void SnapshotBuilt(ILogger logger, string principal, ulong revision, int documents);
}
