using System.Buffers;
using System.Collections.Immutable;
using Authz.Policy.Evaluation;

namespace Authz.Policy.Compilation;

/// <summary>How a pattern treats case and colons.</summary>
public enum PatternMode
{
    /// <summary>Actions: case-insensitive, <c>*</c> matches anything.</summary>
    Action,
    /// <summary>String conditions: case-sensitive, <c>*</c> matches anything.</summary>
    Text,
    /// <summary>
    /// Resource ARNs and ARN conditions: case-sensitive and segment by segment. <c>*</c> and <c>?</c> stay within a
    /// colon-separated segment, except a <c>*</c> that ends a segment, which may extend beyond the colon (as AWS's
    /// Resource element documentation states).
    /// </summary>
    Arn,
}

/// <summary>
/// A compiled glob with optional policy variables. Matching allocates nothing: plain literals, prefixes and
/// <c>*</c> take fast paths; the general case runs a position-set automaton over the value in O(tokens × length).
/// </summary>
public sealed class WildcardPattern
{
    private enum Shape { Any, Exact, Prefix, Pieces, PiecesPrefix, General }

    internal enum TokenKind { Literal, Star, SpanningStar, Question, Variable }

    internal readonly record struct Token(TokenKind Kind, string Text, string? Default);

    private readonly Shape _shape;
    private readonly ImmutableArray<Token> _tokens;
    private readonly StringComparison _comparison;
    private readonly PatternMode _mode;

    /// <summary>The pattern as written in the policy.</summary>
    public string Source { get; }

    /// <summary>True when the pattern contains policy variables that must be resolved against the request.</summary>
    public bool HasVariables { get; }

    /// <summary>True when the pattern has no wildcard and no variable.</summary>
    public bool IsLiteral => _shape == Shape.Exact;

    /// <summary>True when the pattern is just <c>*</c>.</summary>
    public bool IsMatchAll => _shape == Shape.Any;

    /// <summary>For a literal pattern, the literal text (escapes applied).</summary>
    public string? Literal => _shape == Shape.Exact ? _tokens[0].Text : null;

    private WildcardPattern(string source, PatternMode mode, ImmutableArray<Token> tokens)
    {
        Source = source;
        _mode = mode;
        _comparison = mode == PatternMode.Action ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _tokens = tokens;
        HasVariables = tokens.Any(t => t.Kind == TokenKind.Variable);
        _shape = tokens switch
        {
            [{ Kind: TokenKind.Star or TokenKind.SpanningStar }] when mode != PatternMode.Arn || tokens[0].Kind == TokenKind.SpanningStar => Shape.Any,
            [] => Shape.Exact,
            [{ Kind: TokenKind.Literal }] => Shape.Exact,
            [{ Kind: TokenKind.Literal }, { Kind: TokenKind.SpanningStar }] => Shape.Prefix,
            _ when tokens.All(t => t.Kind is TokenKind.Literal or TokenKind.Variable) => Shape.Pieces,
            [.., { Kind: TokenKind.SpanningStar }] when tokens[..^1].All(t => t.Kind is TokenKind.Literal or TokenKind.Variable) => Shape.PiecesPrefix,
            _ => Shape.General,
        };
        if (tokens.IsEmpty)
            _tokens = [new Token(TokenKind.Literal, "", null)];
    }

    /// <summary>Compiles a pattern. With <paramref name="variables"/> true, <c>${...}</c> is parsed as a policy variable.</summary>
    public static WildcardPattern Compile(string pattern, PatternMode mode, bool variables, bool wildcards = true)
    {
        var tokens = ImmutableArray.CreateBuilder<Token>();
        var literal = new System.Text.StringBuilder();

        void Flush()
        {
            if (literal.Length > 0)
            {
                tokens.Add(new Token(TokenKind.Literal, literal.ToString(), null));
                literal.Clear();
            }
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (variables && c == '$' && i + 1 < pattern.Length && pattern[i + 1] == '{' && PolicyVariable.TryParse(pattern, i, out var variable, out var end))
            {
                if (variable.EscapedChar is { } escaped)
                    literal.Append(escaped);
                else
                {
                    Flush();
                    tokens.Add(new Token(TokenKind.Variable, variable.Key, variable.Default));
                }
                i = end - 1;
                continue;
            }
            if (wildcards && c == '*')
            {
                Flush();
                var endsSegment = i + 1 == pattern.Length || pattern[i + 1] == ':';
                var spanning = mode != PatternMode.Arn || endsSegment;
                // Collapse runs of stars: "**" means the same as "*".
                if (tokens.Count > 0 && tokens[^1].Kind is TokenKind.Star or TokenKind.SpanningStar)
                {
                    if (spanning) tokens[^1] = new Token(TokenKind.SpanningStar, "*", null);
                    continue;
                }
                tokens.Add(new Token(spanning ? TokenKind.SpanningStar : TokenKind.Star, "*", null));
                continue;
            }
            if (wildcards && c == '?')
            {
                Flush();
                tokens.Add(new Token(TokenKind.Question, "?", null));
                continue;
            }
            literal.Append(c);
        }
        Flush();
        return new WildcardPattern(pattern, mode, tokens.ToImmutable());
    }

    /// <summary>Matches a value that needs no variable resolution (the pattern must have no variables).</summary>
    public bool IsMatch(ReadOnlySpan<char> value) => IsMatch(value, null);

    /// <summary>
    /// Matches a value, resolving variables against <paramref name="context"/>. A variable with no value in the
    /// request (and no default) makes the match fail, as AWS documents.
    /// </summary>
    public bool IsMatch(ReadOnlySpan<char> value, RequestContext? context)
    {
        switch (_shape)
        {
            case Shape.Any:
                return true;
            case Shape.Exact:
                return value.Equals(_tokens[0].Text, _comparison);
            case Shape.Prefix:
                return value.StartsWith(_tokens[0].Text, _comparison);
            case Shape.Pieces:
                return MatchPieces(value, context, _tokens.Length, prefix: false);
            case Shape.PiecesPrefix:
                return MatchPieces(value, context, _tokens.Length - 1, prefix: true);
        }

        var n = value.Length;
        bool[]? rented = null;
        var buffer = n + 1 <= 1024 ? stackalloc bool[2 * (n + 1)] : (rented = ArrayPool<bool>.Shared.Rent(2 * (n + 1)));
        try
        {
            // cur[p]: the tokens so far can consume exactly value[..p]. Every set position lies in [lo, hi]; positions
            // only move forward, so nothing below lo is ever read again and only [lo, n] needs clearing.
            var cur = buffer[..(n + 1)];
            var next = buffer.Slice(n + 1, n + 1);
            cur.Clear();
            cur[0] = true;
            int lo = 0, hi = 0;
            for (var t = 0; t < _tokens.Length; t++)
            {
                var token = _tokens[t];
                next[lo..].Clear();
                int newLo = -1, newHi = -1;
                switch (token.Kind)
                {
                    case TokenKind.Literal:
                        StepLiteral(value, token.Text, cur, next, lo, hi, t == _tokens.Length - 1, ref newLo, ref newHi);
                        break;
                    case TokenKind.Variable:
                        var resolved = PolicyVariable.Resolve(token.Text, token.Default, context);
                        if (resolved is null)
                            return false;
                        StepLiteral(value, resolved, cur, next, lo, hi, t == _tokens.Length - 1, ref newLo, ref newHi);
                        break;
                    case TokenKind.Question:
                        for (var p = lo; p <= hi && p < n; p++)
                        {
                            if (cur[p] && (_mode != PatternMode.Arn || value[p] != ':'))
                            {
                                next[p + 1] = true;
                                if (newLo < 0) newLo = p + 1;
                                newHi = p + 1;
                            }
                        }
                        break;
                    case TokenKind.SpanningStar:
                        next[lo..].Fill(true);
                        newLo = lo;
                        newHi = n;
                        break;
                    case TokenKind.Star:
                    {
                        // A star stays within its colon-separated segment: from each reachable position up to the
                        // next colon. Whole runs are found and filled with vectorized searches.
                        var p = lo;
                        while (true)
                        {
                            var colon = value[p..].IndexOf(':');
                            var end = colon < 0 ? n : p + colon;
                            next[p..(end + 1)].Fill(true);
                            newHi = end;
                            if (end >= hi)
                                break;
                            var following = cur[(end + 1)..(hi + 1)].IndexOf(true);
                            if (following < 0)
                                break;
                            p = end + 1 + following;
                        }
                        newLo = lo;
                        break;
                    }
                }
                if (newLo < 0)
                    return false;
                (lo, hi) = (newLo, newHi);
                var swap = cur;
                cur = next;
                next = swap;
            }
            return hi == n && cur[n];
        }
        finally
        {
            if (rented is not null)
                ArrayPool<bool>.Shared.Return(rented);
        }
    }

    /// <summary>Literals and resolved variables in sequence: each must follow the previous one exactly.</summary>
    private bool MatchPieces(ReadOnlySpan<char> value, RequestContext? context, int count, bool prefix)
    {
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var token = _tokens[i];
            var text = token.Kind == TokenKind.Literal ? token.Text : PolicyVariable.Resolve(token.Text, token.Default, context);
            if (text is null || !value[position..].StartsWith(text, _comparison))
                return false;
            position += text.Length;
        }
        return prefix || position == value.Length;
    }

    /// <summary>
    /// Advances every reachable position over <paramref name="literal"/>. Occurrences are found with a vectorized
    /// search rather than by comparing at every reachable position (after a star, that is most of the value).
    /// </summary>
    private void StepLiteral(ReadOnlySpan<char> value, string literal, Span<bool> cur, Span<bool> next, int lo, int hi,
        bool lastToken, ref int newLo, ref int newHi)
    {
        var length = literal.Length;
        var n = value.Length;
        var last = Math.Min(hi, n - length);
        if (last < lo)
            return;
        if (lastToken)
        {
            // The pattern ends with this literal, so only the position that leaves exactly the literal can match.
            var p = n - length;
            if (p >= lo && p <= hi && cur[p] && value[p..].Equals(literal, _comparison))
            {
                next[n] = true;
                newLo = newHi = n;
            }
            return;
        }
        if (length == 0)
        {
            cur[lo..(hi + 1)].CopyTo(next[lo..]);
            (newLo, newHi) = (lo, hi);
            return;
        }
        if (lo == hi)
        {
            if (value.Slice(lo, length).Equals(literal, _comparison))
                next[lo + length] = true;
            else
                return;
            newLo = newHi = lo + length;
            return;
        }
        var start = lo;
        while (start <= last)
        {
            var found = value[start..(last + length)].IndexOf(literal, _comparison);
            if (found < 0)
                break;
            var p = start + found;
            if (cur[p])
            {
                next[p + length] = true;
                if (newLo < 0) newLo = p + length;
                newHi = p + length;
            }
            start = p + 1;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
