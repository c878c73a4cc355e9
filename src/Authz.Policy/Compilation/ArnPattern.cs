using Authz.Policy.Evaluation;

namespace Authz.Policy.Compilation;

/// <summary>
/// The matcher of the ARN condition operators (<c>ArnEquals</c>, <c>ArnLike</c> and their negations). AWS checks
/// "each of the six colon-delimited components of the ARN separately", so unlike the <c>Resource</c> element a
/// <c>*</c> never reaches past its component's colon; only the sixth component (the resource part) may itself contain
/// colons. The pattern <c>*</c> matches every ARN; any other pattern with fewer than six components matches nothing.
/// Immutable and allocation-free when matching.
/// </summary>
public sealed class ArnPattern
{
    private readonly WildcardPattern[]? _components;
    private readonly bool _matchAll;

    /// <summary>The pattern as written.</summary>
    public string Source { get; }

    private ArnPattern(string source, WildcardPattern[]? components)
    {
        Source = source;
        _components = components;
        _matchAll = source == "*";
    }

    /// <summary>Compiles a pattern; <paramref name="variables"/> enables policy variables.</summary>
    public static ArnPattern Compile(string pattern, bool variables)
    {
        var parts = SplitComponents(pattern, variables);
        return new ArnPattern(pattern, parts?.Select(p => WildcardPattern.Compile(p, PatternMode.Text, variables)).ToArray());
    }

    /// <summary>Whether <paramref name="value"/> (an ARN) matches, component by component.</summary>
    public bool IsMatch(ReadOnlySpan<char> value, RequestContext? context)
    {
        if (_matchAll)
            return true;
        if (_components is null)
            return false;
        var rest = value;
        for (var i = 0; i < 5; i++)
        {
            var colon = rest.IndexOf(':');
            if (colon < 0)
                return false;
            if (!_components[i].IsMatch(rest[..colon], context))
                return false;
            rest = rest[(colon + 1)..];
        }
        return _components[5].IsMatch(rest, context);
    }

    /// <summary>Splits at the first five colons that are not inside a <c>${...}</c> variable; null if there are fewer.</summary>
    private static string[]? SplitComponents(string pattern, bool variables)
    {
        var parts = new List<string>(6);
        var start = 0;
        for (var i = 0; i < pattern.Length && parts.Count < 5; i++)
        {
            if (variables && pattern[i] == '$' && i + 1 < pattern.Length && pattern[i + 1] == '{'
                && PolicyVariable.TryParse(pattern, i, out _, out var end))
            {
                i = end - 1;
                continue;
            }
            if (pattern[i] == ':')
            {
                parts.Add(pattern[start..i]);
                start = i + 1;
            }
        }
        if (parts.Count < 5)
            return null;
        parts.Add(pattern[start..]);
        return [.. parts];
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
