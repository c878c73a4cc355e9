namespace Authz.Policy.Tests.Properties;

/// <summary>How the reference matcher treats case, wildcards and colons.</summary>
public enum MatchMode
{
    /// <summary>Actions: case-insensitive; <c>*</c> and <c>?</c> match any characters.</summary>
    Action,
    /// <summary>StringLike: case-sensitive; <c>*</c> and <c>?</c> match any characters.</summary>
    Glob,
    /// <summary>StringEquals: case-sensitive, no wildcards.</summary>
    Exact,
    /// <summary>StringEqualsIgnoreCase: case-insensitive, no wildcards.</summary>
    ExactIgnoreCase,
    /// <summary>
    /// Resource ARNs and Arn operators: case-sensitive; <c>?</c> and <c>*</c> stay inside a colon-separated segment,
    /// except a <c>*</c> written at the end of a segment (followed by <c>:</c> or the end of the pattern), which may
    /// run past colons.
    /// </summary>
    Arn,
}

/// <summary>
/// The reference's pattern matching: policy variables are substituted first (as literal text), then a plain
/// recursive matcher walks the pattern one element at a time. It is slow and obviously right, which is the point.
/// </summary>
public static class ReferenceMatching
{
    private enum Kind { Char, Star, Question }

    private readonly record struct Element(Kind Kind, char Char, bool StarCrossesColons);

    /// <summary>
    /// Whether <paramref name="value"/> matches <paramref name="pattern"/>. With <paramref name="variables"/> set,
    /// <c>${key}</c>, <c>${key, 'default'}</c> and the escapes <c>${*}</c>, <c>${?}</c>, <c>${$}</c> are
    /// substituted; a variable with no value and no default makes the pattern match nothing.
    /// </summary>
    public static bool Matches(string pattern, string value, MatchMode mode, bool variables, ReferenceContext context)
    {
        var elements = Expand(pattern, mode, variables, context);
        return elements is not null && Match(elements, 0, value, 0, mode);
    }

    /// <summary>
    /// The ARN condition operators (<c>ArnEquals</c>, <c>ArnLike</c> and their negations): "each of the six
    /// colon-delimited components of the ARN is checked separately and each can include multi-character match
    /// wildcards (*) or single-character match wildcards (?)". The value's sixth component (the resource part) keeps
    /// its colons. Where the Guide is silent (docs/semantics.md): the pattern <c>*</c> matches every ARN, any other
    /// pattern with fewer than six components matches nothing, and a variable never splits a component.
    /// </summary>
    public static bool MatchesArnComponents(string pattern, string value, bool variables, ReferenceContext context)
    {
        if (pattern == "*")
            return true;
        var patternParts = SplitArnPattern(pattern, variables);
        var valueParts = value.Split(':', 6);
        if (patternParts is null || valueParts.Length < 6)
            return false;
        for (var i = 0; i < 6; i++)
            if (!Matches(patternParts[i], valueParts[i], MatchMode.Glob, variables, context))
                return false;
        return true;
    }

    /// <summary>The pattern cut at its first five colons outside <c>${...}</c>; null when it has fewer.</summary>
    private static List<string>? SplitArnPattern(string pattern, bool variables)
    {
        var parts = new List<string>();
        var start = 0;
        var i = 0;
        while (i < pattern.Length && parts.Count < 5)
        {
            if (variables && pattern[i] == '$' && TryReadVariable(pattern, i, out _, out _, out var next))
            {
                i = next;
                continue;
            }
            if (pattern[i] == ':')
            {
                parts.Add(pattern[start..i]);
                start = i + 1;
            }
            i++;
        }
        if (parts.Count < 5)
            return null;
        parts.Add(pattern[start..]);
        return parts;
    }

    /// <summary>The pattern with variables substituted; null when a variable cannot be resolved.</summary>
    private static List<Element>? Expand(string pattern, MatchMode mode, bool variables, ReferenceContext context)
    {
        var wildcards = mode is MatchMode.Action or MatchMode.Glob or MatchMode.Arn;
        var result = new List<Element>();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (variables && c == '$' && TryReadVariable(pattern, i, out var key, out var defaultValue, out var next))
            {
                var text = key is "*" or "?" or "$" ? key : context.Substitute(key, defaultValue);
                if (text is null)
                    return null;
                foreach (var ch in text)
                    result.Add(new Element(Kind.Char, ch, false));
                i = next;
                continue;
            }
            if (wildcards && c == '*')
            {
                var endsSegment = i + 1 == pattern.Length || pattern[i + 1] == ':';
                result.Add(new Element(Kind.Star, '*', mode != MatchMode.Arn || endsSegment));
            }
            else if (wildcards && c == '?')
            {
                result.Add(new Element(Kind.Question, '?', false));
            }
            else
            {
                result.Add(new Element(Kind.Char, c, false));
            }
            i++;
        }
        return result;
    }

    /// <summary>
    /// Reads <c>${...}</c> at <paramref name="start"/>: an escape (<c>*</c>, <c>?</c>, <c>$</c>) or a key with an
    /// optional single-quoted default after a comma. Anything else is not a variable and stays literal.
    /// </summary>
    private static bool TryReadVariable(string text, int start, out string key, out string? defaultValue, out int next)
    {
        key = "";
        defaultValue = null;
        next = start;
        if (start + 1 >= text.Length || text[start + 1] != '{')
            return false;
        var close = text.IndexOf('}', start + 2);
        if (close < 0)
            return false;
        var body = text.Substring(start + 2, close - start - 2);
        next = close + 1;
        if (body is "*" or "?" or "$")
        {
            key = body;
            return true;
        }
        var comma = body.IndexOf(',');
        if (comma >= 0)
        {
            var quoted = body[(comma + 1)..].Trim();
            if (quoted.Length < 2 || quoted[0] != '\'' || quoted[^1] != '\'')
                return false;
            defaultValue = quoted[1..^1];
            body = body[..comma];
        }
        key = body.Trim();
        return key.Length > 0 && key.IndexOfAny([' ', '\'', '$', '{']) < 0;
    }

    private static bool Match(List<Element> p, int i, string v, int j, MatchMode mode)
    {
        if (i == p.Count)
            return j == v.Length;
        var e = p[i];
        switch (e.Kind)
        {
            case Kind.Char:
                return j < v.Length && SameChar(e.Char, v[j], mode) && Match(p, i + 1, v, j + 1, mode);
            case Kind.Question:
                return j < v.Length && !(mode == MatchMode.Arn && v[j] == ':') && Match(p, i + 1, v, j + 1, mode);
            default:
                // Try every length for the star, shortest first; a star that may not cross colons stops at one.
                for (var k = j; ; k++)
                {
                    if (Match(p, i + 1, v, k, mode))
                        return true;
                    if (k == v.Length || (!e.StarCrossesColons && v[k] == ':'))
                        return false;
                }
        }
    }

    private static bool SameChar(char a, char b, MatchMode mode) =>
        mode is MatchMode.Action or MatchMode.ExactIgnoreCase
            ? char.ToUpperInvariant(a) == char.ToUpperInvariant(b)
            : a == b;
}
