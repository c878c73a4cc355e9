using Authz.Policy.Evaluation;

namespace Authz.Policy.Compilation;

/// <summary>
/// Policy variables: <c>${aws:username}</c>, <c>${aws:PrincipalTag/team, 'none'}</c> and the escapes
/// <c>${*}</c>, <c>${?}</c>, <c>${$}</c>.
/// </summary>
public readonly record struct PolicyVariable(string Key, string? Default, char? EscapedChar)
{
    /// <summary>
    /// Parses the variable that starts at <paramref name="start"/> (the <c>$</c>). <paramref name="end"/> is the index
    /// after the closing brace. Text that is not a well-formed variable is not one, and stays literal.
    /// </summary>
    public static bool TryParse(string text, int start, out PolicyVariable variable, out int end)
    {
        variable = default;
        end = 0;
        if (start + 2 >= text.Length || text[start] != '$' || text[start + 1] != '{')
            return false;
        var close = text.IndexOf('}', start + 2);
        if (close < 0)
            return false;
        var body = text.AsSpan(start + 2, close - start - 2);
        end = close + 1;

        if (body is "*" or "?" or "$")
        {
            variable = new PolicyVariable(body.ToString(), null, body[0]);
            return true;
        }

        string? defaultValue = null;
        var comma = body.IndexOf(',');
        if (comma >= 0)
        {
            // ${key, 'default'}: the default is quoted with single quotes.
            var rest = body[(comma + 1)..].Trim();
            if (rest.Length < 2 || rest[0] != '\'' || rest[^1] != '\'')
                return false;
            defaultValue = rest[1..^1].ToString();
            body = body[..comma];
        }
        var key = body.Trim();
        if (key.Length == 0 || key.ContainsAny(" '${"))
            return false;
        variable = new PolicyVariable(key.ToString(), defaultValue, null);
        return true;
    }

    /// <summary>
    /// The value a variable takes in a request: the key's single value, else the default, else null (unresolved).
    /// A multivalued key cannot be substituted and is unresolved.
    /// </summary>
    public static string? Resolve(string key, string? defaultValue, RequestContext? context)
    {
        if (context is null || !context.TryGetValues(key, out var values) || values.Length == 0)
            return defaultValue;
        return values.Length == 1 ? values[0] : null;
    }

    /// <summary>Whether <paramref name="text"/> contains at least one variable (escapes included).</summary>
    public static bool ContainsVariable(string text)
    {
        for (var i = text.IndexOf("${", StringComparison.Ordinal); i >= 0; i = text.IndexOf("${", i + 2, StringComparison.Ordinal))
            if (TryParse(text, i, out _, out _))
                return true;
        return false;
    }
}
