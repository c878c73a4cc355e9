using System.Text.Json;
using System.Text.Json.Serialization;

namespace Authz.Storage;

/// <summary>The database behind the Authz grain storage.</summary>
public enum StorageProviderKind
{
    /// <summary>A local SQLite file: the embedded single-silo default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every silo of a cluster.</summary>
    Postgres,
}

/// <summary>
/// Options of the Authz grain storage, bound from configuration section <c>Authz:Storage</c>
/// (<c>Authz__Storage__Provider</c>, <c>Authz__Storage__ConnectionString</c>, <c>Authz__Storage__SqlitePath</c>).
/// </summary>
public sealed class AuthzStorageOptions
{
    /// <summary>The configuration section the host binds these options from.</summary>
    public const string SectionName = "Authz:Storage";

    /// <summary>The SQLite file used when neither <see cref="SqlitePath"/> nor <see cref="ConnectionString"/> is set.</summary>
    public const string DefaultSqlitePath = "./data/authz.db";

    /// <summary>Which database to use. Defaults to <see cref="StorageProviderKind.Sqlite"/>.</summary>
    public StorageProviderKind Provider { get; set; } = StorageProviderKind.Sqlite;

    /// <summary>
    /// The ADO.NET connection string. Required for PostgreSQL (Npgsql syntax, e.g.
    /// <c>Host=127.0.0.1;Port=5432;Database=authz;Username=authz;Password=...</c>). For SQLite it overrides
    /// <see cref="SqlitePath"/> when set.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The SQLite database file; relative paths are resolved against the current directory. The directory is created
    /// when missing. Defaults to <see cref="DefaultSqlitePath"/>.
    /// </summary>
    public string SqlitePath { get; set; } = DefaultSqlitePath;

    /// <summary>How long one storage command may run before it fails. Defaults to 30 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true, clearing a grain's state deletes its row. When false (the default) the row is kept as a tombstone
    /// with no payload, so the version keeps increasing and an activation holding an ETag from before the clear can
    /// never write over a newer record.
    /// </summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// Apply the schema migrations when the silo starts (the default). Turn off when the schema is managed out of
    /// band; the storage then refuses to start unless the schema is at the version it expects.
    /// </summary>
    public bool ApplyMigrationsOnStartup { get; set; } = true;

    /// <summary>
    /// The JSON settings of stored payloads (format version 1). Changing them changes how new rows are written, so
    /// keep them stable once data exists. The default uses camelCase names, string enums and tolerant reads
    /// (unknown members are skipped).
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = CreateDefaultJsonOptions();

    /// <summary>Creates the default payload JSON settings.</summary>
    public static JsonSerializerOptions CreateDefaultJsonOptions() => new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
