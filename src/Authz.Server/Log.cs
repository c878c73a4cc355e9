namespace Authz.Server;

/// <summary>Log messages of the host, event ids 1000-1099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Authz is listening for gRPC (HTTP/2 without TLS) on {Addresses}")]
    public static partial void Listening(ILogger logger, string addresses);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Orleans silo {SiloAddress} (gateway {GatewayAddress}) joined cluster {ClusterId} of service {ServiceId} with {Clustering} clustering")]
    public static partial void SiloStarted(ILogger logger, string siloAddress, string gatewayAddress, string clusterId, string serviceId, string clustering);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Grain state is stored in {Provider} database {Target}")]
    public static partial void StorageTarget(ILogger logger, string provider, string target);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Authz is shutting down gracefully (timeout {ShutdownTimeout})")]
    public static partial void ShuttingDown(ILogger logger, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Authz stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Critical, Message = "Authz cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);
}
