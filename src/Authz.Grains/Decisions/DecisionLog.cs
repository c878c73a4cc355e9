using Microsoft.Extensions.Logging;

namespace Authz.Grains.Decisions;

internal static partial class DecisionLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "A revision observer could not be notified; it is dropped until it renews")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Subscribing the decision cache to revision notifications failed; retrying")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Loading {What} `{Key}` for a decision failed; the check is answered UNAVAILABLE")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string what, string key);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Decision cache subscribed to revision notifications")]
    public static partial void Subscribed(ILogger logger);
}
