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
    private enum Shape { Any, Exact, Prefix, General }

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
        }

        var n = value.Length;
        bool[]? rented = null;
        var buffer = n + 1 <= 1024 ? stackalloc bool[2 * (n + 1)] : (rented = ArrayPool<bool>.Shared.Rent(2 * (n + 1)));
        try
        {
            var cur = buffer[..(n + 1)];
            var next = buffer.Slice(n + 1, n + 1);
            cur.Clear();
            cur[0] = true;
            foreach (var token in _tokens)
            {
                next.Clear();
                var any = false;
                switch (token.Kind)
                {
                    case TokenKind.Literal:
                        any = StepLiteral(value, token.Text, cur, next);
                        break;
                    case TokenKind.Variable:
                        var resolved = PolicyVariable.Resolve(token.Text, token.Default, context);
                        if (resolved is null)
                            return false;
                        any = StepLiteral(value, resolved, cur, next);
                        break;
                    case TokenKind.Question:
                        for (var p = 0; p < n; p++)
                        {
                            if (cur[p] && (_mode != PatternMode.Arn || value[p] != ':'))
                            {
                                next[p + 1] = true;
                                any = true;
                            }
                        }
                        break;
                    case TokenKind.SpanningStar:
                    {
                        var first = cur.IndexOf(true);
                        if (first >= 0)
                        {
                            next[first..].Fill(true);
                            any = true;
                        }
                        break;
                    }
                    case TokenKind.Star:
                    {
                        var reach = false;
                        for (var p = 0; p <= n; p++)
                        {
                            reach |= cur[p];
                            if (reach)
                            {
                                next[p] = true;
                                any = true;
                            }
                            if (p < n && value[p] == ':')
                                reach = false;
                        }
                        break;
                    }
                }
                if (!any)
                    return false;
                var swap = cur;
                cur = next;
                next = swap;
            }
            return cur[n];
        }
        finally
        {
            if (rented is not null)
                ArrayPool<bool>.Shared.Return(rented);
        }
    }

    private bool StepLiteral(ReadOnlySpan<char> value, string literal, Span<bool> cur, Span<bool> next)
    {
        var any = false;
        var last = value.Length - literal.Length;
        for (var p = 0; p <= last; p++)
        {
            if (cur[p] && value.Slice(p, literal.Length).Equals(literal, _comparison))
            {
                next[p + literal.Length] = true;
                any = true;
            }
        }
        return any;
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
