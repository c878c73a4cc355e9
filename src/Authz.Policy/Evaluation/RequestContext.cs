using System.Diagnostics.CodeAnalysis;

namespace Authz.Policy.Evaluation;

/// <summary>
/// The request context: condition keys (case-insensitive) to their values. Multivalued keys hold several values;
/// a key with no values is treated as absent. Built once per request, then read without allocation.
/// </summary>
public sealed class RequestContext
{
    private readonly Dictionary<string, string[]> _values;

    /// <summary>An empty context.</summary>
    public static RequestContext Empty { get; } = new(new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase));

    private RequestContext(Dictionary<string, string[]> values) => _values = values;

    /// <summary>Creates a context from key/value pairs; later keys replace earlier ones (keys compare case-insensitively).</summary>
    public static RequestContext Create(IEnumerable<KeyValuePair<string, string[]>> values)
    {
        // Sized up front: the server builds one context per check, and growing the table rehashes it two or three times.
        var dict = new Dictionary<string, string[]>(values.TryGetNonEnumeratedCount(out var count) ? count : 0, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in values)
            dict[k] = v;
        return new RequestContext(dict);
    }

    /// <summary>A copy of this context with some keys set (replacing any the caller supplied under the same name).</summary>
    public RequestContext With(IEnumerable<KeyValuePair<string, string[]>> overrides)
    {
        var dict = new Dictionary<string, string[]>(_values, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in overrides)
            dict[k] = v;
        return new RequestContext(dict);
    }

    /// <summary>Looks up a key; true when present with at least one value.</summary>
    public bool TryGetValues(string key, [NotNullWhen(true)] out string[]? values) =>
        _values.TryGetValue(key, out values) && values.Length > 0;

    /// <summary>Every key and its values.</summary>
    public IReadOnlyDictionary<string, string[]> Values => _values;
}
