using System.Text.Json;

namespace Authz.Storage;

/// <summary>
/// The stored form of grain state. Rows carry the payload format in <c>format_version</c> and never a CLR type
/// name, so renaming or moving a state class keeps its data. Format 1 is UTF-8 JSON written by System.Text.Json with
/// <see cref="AuthzStorageOptions.JsonSerializerOptions"/>; members missing from the JSON keep their defaults and
/// unknown members are skipped, so fields can be added and removed without a migration.
/// </summary>
internal sealed class StatePayloadSerializer(JsonSerializerOptions options)
{
    /// <summary>The format new rows are written in.</summary>
    public const int CurrentFormatVersion = 1;

    public string Serialize<T>(T state) => JsonSerializer.Serialize(state, options);

    /// <exception cref="GrainStateFormatException">The payload is in an unknown format or is not valid for <typeparamref name="T"/>.</exception>
    public T Deserialize<T>(int formatVersion, string payload, string stateName, string grainId)
    {
        if (formatVersion != CurrentFormatVersion)
        {
            throw new GrainStateFormatException(
                $"state `{stateName}` of grain `{grainId}` is stored in payload format {formatVersion}, " +
                $"which this build cannot read (it reads format {CurrentFormatVersion}); run a newer Authz build");
        }

        try
        {
            var state = JsonSerializer.Deserialize<T>(payload, options);
            return state ?? throw new GrainStateFormatException($"state `{stateName}` of grain `{grainId}` is stored as JSON null");
        }
        catch (JsonException ex)
        {
            throw new GrainStateFormatException(
                $"state `{stateName}` of grain `{grainId}` does not deserialize as `{typeof(T).Name}`: {ex.Message}", ex);
        }
    }
}
