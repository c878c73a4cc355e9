using System.Diagnostics.CodeAnalysis;

namespace Authz.Policy.Evaluation;

/// <summary>
/// The request context: condition keys (case-insensitive) to their values. Multivalued keys hold several values;
/// a key with no values is treated as absent. Read without allocation.
/// </summary>
/// <remarks>
/// A context may be layered (<see cref="Layered"/>): a few keys of its own over other contexts, looked up in order, the
/// first that holds a key answering for it, even with no values. So the keys that stay the same across many requests
/// (a principal's, a resource's) are built once, and a request adds only the few of its own. A layered context answers
/// as <see cref="Create"/> would for the bottom layer's pairs first and the top layer's last.
/// </remarks>
public sealed class RequestContext
{
    // Own keys: a table (Create), or a few pairs scanned from the end so that later pairs win (Layered).
    private readonly Dictionary<string, string[]>? _table;
    private readonly KeyValuePair<string, string[]>[] _pairs;
    private readonly RequestContext[] _below;

    /// <summary>An empty context.</summary>
    public static RequestContext Empty { get; } = new(null, [], []);

    private RequestContext(Dictionary<string, string[]>? table, KeyValuePair<string, string[]>[] pairs, RequestContext[] below)
    {
        _table = table;
        _pairs = pairs;
        _below = below;
    }

    /// <summary>Creates a context from key/value pairs; later keys replace earlier ones (keys compare case-insensitively).</summary>
    public static RequestContext Create(IEnumerable<KeyValuePair<string, string[]>> values)
    {
        KeyValuePair<string, string[]>[] pairs = [.. values];
        if (pairs.Length <= MaxScannedPairs)
            return new RequestContext(null, pairs, []);
        var table = new Dictionary<string, string[]>(pairs.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in pairs)
            table[k] = v;
        return new RequestContext(table, [], []);
    }

    /// <summary>
    /// The most pairs <see cref="Create"/> keeps as a scanned array rather than a table: one array to read, where a
    /// table is three, and most of a scan compares lengths.
    /// </summary>
    public const int MaxScannedPairs = 8;

    /// <summary>
    /// A context of <paramref name="pairs"/> (later pairs replace earlier ones) over <paramref name="below"/>, upper layers
    /// first: a key is answered by the first layer that holds it. The pairs are scanned linearly, so keep them few; the
    /// arrays are kept, not copied, and must not change afterwards.
    /// </summary>
    public static RequestContext Layered(KeyValuePair<string, string[]>[] pairs, params RequestContext[] below) => new(null, pairs, below);

    /// <summary>This context with some keys set over it (replacing any the caller supplied under the same name).</summary>
    public RequestContext With(IEnumerable<KeyValuePair<string, string[]>> overrides) => Layered([.. overrides], this);

    /// <summary>Looks up a key; true when present with at least one value.</summary>
    public bool TryGetValues(string key, [NotNullWhen(true)] out string[]? values) =>
        TryFind(key, out values) && values.Length > 0;

    /// <summary>The values of the uppermost layer that holds <paramref name="key"/>, possibly none.</summary>
    private bool TryFind(string key, [NotNullWhen(true)] out string[]? values)
    {
        for (var i = _pairs.Length - 1; i >= 0; i--)
        {
            if (string.Equals(_pairs[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                values = _pairs[i].Value;
                return true;
            }
        }

        if (_table is not null && _table.TryGetValue(key, out values))
            return true;
        foreach (var layer in _below)
        {
            if (layer.TryFind(key, out values))
                return true;
        }

        values = null;
        return false;
    }

    /// <summary>Every key and its values, layers merged (built on each call unless the context is a single table).</summary>
    public IReadOnlyDictionary<string, string[]> Values
    {
        get
        {
            if (_table is not null && _pairs.Length == 0 && _below.Length == 0)
                return _table;
            var merged = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            AddTo(merged);
            return merged;
        }
    }

    private void AddTo(Dictionary<string, string[]> merged)
    {
        for (var i = _below.Length - 1; i >= 0; i--)
            _below[i].AddTo(merged);
        if (_table is not null)
        {
            foreach (var (k, v) in _table)
                merged[k] = v;
        }

        foreach (var (k, v) in _pairs)
            merged[k] = v;
    }
}
