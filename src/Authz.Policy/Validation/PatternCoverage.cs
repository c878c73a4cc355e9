using Authz.Policy.Compilation;

namespace Authz.Policy.Validation;

/// <summary>
/// Decides whether one glob covers another: every value the specific pattern matches, the general one matches too.
/// It follows <see cref="WildcardPattern"/>'s rules: actions compare case-insensitively; in ARNs a <c>*</c> stays within
/// its colon-separated field unless it ends the field, and <c>?</c> never matches a colon.
/// </summary>
/// <remarks>
/// The test is symbolic: a literal in the general pattern must meet the same literal, its <c>?</c> must meet one
/// character or <c>?</c>, and its <c>*</c> may absorb any run the specific pattern could produce. That is sound
/// (a "covers" answer is always right) and exact for the patterns people write.
/// </remarks>
internal static class PatternCoverage
{
    private enum Kind { Literal, Question, Star, SpanningStar }

    /// <summary>
    /// Whether <paramref name="general"/> matches everything <paramref name="specific"/> matches. With
    /// <paramref name="variables"/> on, a variable in the specific pattern may resolve to any text, so only a spanning
    /// <c>*</c> covers it; a variable in the general pattern depends on the request, so it covers only its equal.
    /// </summary>
    public static bool Covers(string general, string specific, PatternMode mode, bool variables)
    {
        var comparison = mode == PatternMode.Action ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (string.Equals(general, specific, comparison))
            return true;
        if (Tokenize(general, mode, variables) is not { } p)
            return false;
        var q = Tokenize(specific, mode, variables, variablesAsStars: true)!;
        var ignoreCase = mode == PatternMode.Action;

        // next[j]: whether p[i+1..] covers q[j..]; cur[j] the same for p[i..].
        var next = new bool[q.Count + 1];
        var cur = new bool[q.Count + 1];
        next[q.Count] = true;
        for (var i = p.Count - 1; i >= 0; i--)
        {
            for (var j = q.Count; j >= 0; j--)
            {
                var more = j < q.Count;
                cur[j] = p[i].Kind switch
                {
                    Kind.SpanningStar => next[j] || (more && cur[j + 1]),
                    Kind.Star => next[j] || (more && StaysInField(q[j]) && cur[j + 1]),
                    Kind.Question => more && (q[j].Kind == Kind.Question || (q[j].Kind == Kind.Literal && !(mode == PatternMode.Arn && q[j].Char == ':'))) && next[j + 1],
                    _ => more && q[j].Kind == Kind.Literal && SameChar(p[i].Char, q[j].Char, ignoreCase) && next[j + 1],
                };
            }
            (cur, next) = (next, cur);
        }
        return next[0];
    }

    private readonly record struct Token(Kind Kind, char Char);

    private static bool StaysInField(Token t) => t.Kind switch
    {
        Kind.Literal => t.Char != ':',
        Kind.Question or Kind.Star => true,
        _ => false,
    };

    private static bool SameChar(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    /// <summary>
    /// The pattern as tokens, with escapes (<c>${*}</c>) as literal characters. A variable becomes a spanning star
    /// when <paramref name="variablesAsStars"/> is set; otherwise its presence makes the pattern unusable (null).
    /// </summary>
    private static List<Token>? Tokenize(string pattern, PatternMode mode, bool variables, bool variablesAsStars = false)
    {
        var spans = variables ? PolicyText.Variables(pattern) : [];
        var tokens = new List<Token>(pattern.Length);
        var next = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (next < spans.Count && i == spans[next].Start)
            {
                var span = spans[next++];
                if (span.Variable.EscapedChar is { } escaped)
                    tokens.Add(new Token(Kind.Literal, escaped));
                else if (variablesAsStars)
                    tokens.Add(new Token(Kind.SpanningStar, '*'));
                else
                    return null;
                i = span.End - 1;
                continue;
            }
            var c = pattern[i];
            var kind = c switch
            {
                '?' => Kind.Question,
                '*' when mode != PatternMode.Arn || i + 1 == pattern.Length || pattern[i + 1] == ':' => Kind.SpanningStar,
                '*' => Kind.Star,
                _ => Kind.Literal,
            };
            tokens.Add(new Token(kind, c));
        }
        return tokens;
    }
}
