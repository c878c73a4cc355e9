using System.Collections.Immutable;

namespace Authz.Policy.Tests.Properties;

/// <summary>
/// The request context as the reference sees it: key names compare case-insensitively, JSON numbers keep their text,
/// booleans read as <c>true</c>/<c>false</c>, and a key written as null or as an empty array is absent.
/// </summary>
public sealed class ReferenceContext
{
    private readonly Dictionary<string, string[]> _values = new(StringComparer.OrdinalIgnoreCase);

    public ReferenceContext(ImmutableArray<ContextEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Shape == ContextShape.Null || entry.Values.IsEmpty)
                _values.Remove(entry.Key);
            else
                _values[entry.Key] = [.. entry.Values.Select(v => v.Text)];
        }
    }

    /// <summary>The key's values, or null when the key is absent.</summary>
    public string[]? Get(string key) => _values.TryGetValue(key, out var values) ? values : null;

    /// <summary>
    /// What a policy variable stands for: the key's only value; the default when the key is absent; nothing (null)
    /// when the key is absent without a default, or has several values (a multivalued key is not substituted).
    /// </summary>
    public string? Substitute(string key, string? defaultValue)
    {
        var values = Get(key);
        if (values is null)
            return defaultValue;
        return values.Length == 1 ? values[0] : null;
    }
}
