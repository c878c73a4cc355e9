using Microsoft.Extensions.Logging;

namespace Authz.Storage;

/// <summary>Log messages of the storage, event ids 2000-2099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Grain storage {ProviderName} ready on {Provider} database {Target} (service {ServiceId}, schema version {SchemaVersion})")]
    public static partial void StorageReady(ILogger logger, string providerName, StorageProviderKind provider, string target, string serviceId, int schemaVersion);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Applied storage schema migration {Version} ({Description}) to {Provider} database {Target}")]
    public static partial void MigrationApplied(ILogger logger, int version, string description, StorageProviderKind provider, string target);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug,
        Message = "Storage schema of {Provider} database {Target} is up to date at version {Version}")]
    public static partial void SchemaUpToDate(ILogger logger, StorageProviderKind provider, string target, int version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "Version conflict on {Operation} of state {StateName} of grain {GrainId}: the grain holds ETag {GrainETag}, storage holds {StoredETag}")]
    public static partial void VersionConflict(ILogger logger, string operation, string stateName, string grainId, string grainETag, string storedETag);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error,
        Message = "Grain storage {ProviderName} could not be initialized on {Provider} database {Target}")]
    public static partial void InitializationFailed(ILogger logger, Exception exception, string providerName, StorageProviderKind provider, string target);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error,
        Message = "Stored state {StateName} of grain {GrainId} could not be read")]
    public static partial void UnreadableState(ILogger logger, Exception exception, string stateName, string grainId);
}
