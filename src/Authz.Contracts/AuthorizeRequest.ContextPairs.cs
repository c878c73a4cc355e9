using Google.Protobuf.Collections;

namespace Authz.V1;

public sealed partial class AuthorizeRequest
{
    /// <summary>
    /// Set by <see cref="AuthorizeRequestReader"/>, which leaves <see cref="Context"/> empty. The generated members
    /// (equality, copies, serialization, <c>ToString</c>) do not see it: a request read that way is for the server to
    /// answer, not to copy or send on.
    /// </summary>
    private KeyValuePair<string, string[]>[]? _contextPairs;

    /// <summary>
    /// The request context as key and values pairs, null when there is none: what <see cref="AuthorizeRequestReader"/>
    /// read, else <see cref="Context"/>'s entries. Server code reads the context through this, never through
    /// <see cref="Context"/>, which a request read by <see cref="AuthorizeRequestReader"/> leaves empty.
    /// </summary>
    public KeyValuePair<string, string[]>[]? ContextPairs() => _contextPairs ?? ContextValues.ToPairs(Context);

    internal void SetContextPairs(KeyValuePair<string, string[]>[]? pairs) => _contextPairs = pairs;
}

public sealed partial class ContextValues
{
    /// <summary>A <c>map&lt;string, ContextValues&gt;</c> as key and values pairs in its order; null when it is empty.</summary>
    public static KeyValuePair<string, string[]>[]? ToPairs(MapField<string, ContextValues> context)
    {
        if (context.Count == 0)
        {
            return null;
        }

        var pairs = new KeyValuePair<string, string[]>[context.Count];
        var i = 0;
        foreach (var (key, values) in context)
        {
            pairs[i++] = new(key, [.. values.Values]);
        }

        return pairs;
    }
}
