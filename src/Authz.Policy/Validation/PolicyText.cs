using Authz.Policy.Compilation;

namespace Authz.Policy.Validation;

/// <summary>A well-formed policy variable (or escape) found in a value, with its span.</summary>
internal readonly record struct VariableSpan(int Start, int End, PolicyVariable Variable)
{
    public string Text(string value) => value[Start..End];
}

/// <summary>
/// Reading policy values as text: where their variables are, whether they hold wildcards, and their ARN fields.
/// Variables are recognised with <see cref="PolicyVariable.TryParse"/>, the compiler's own reader, so the validator
/// and the compiler agree on what is a variable.
/// </summary>
internal static class PolicyText
{
    /// <summary>The well-formed variables and escapes in <paramref name="value"/>, in order.</summary>
    public static List<VariableSpan> Variables(string value)
    {
        var spans = new List<VariableSpan>();
        for (var i = value.IndexOf("${", StringComparison.Ordinal); i >= 0 && i < value.Length;)
        {
            if (PolicyVariable.TryParse(value, i, out var variable, out var end))
            {
                spans.Add(new VariableSpan(i, end, variable));
                i = value.IndexOf("${", end, StringComparison.Ordinal);
            }
            else
                i = value.IndexOf("${", i + 2, StringComparison.Ordinal);
        }
        return spans;
    }

    /// <summary>The first variable proper (not an escape such as <c>${*}</c>), or null.</summary>
    public static string? FirstVariable(string value)
    {
        foreach (var span in Variables(value))
            if (span.Variable.EscapedChar is null)
                return span.Text(value);
        return null;
    }

    /// <summary>
    /// Whether <paramref name="value"/> holds a <c>*</c> or <c>?</c> that acts as a wildcard. With variables on, the
    /// escapes <c>${*}</c> and <c>${?}</c> are literal characters and text inside a variable is not a wildcard.
    /// </summary>
    public static bool HasWildcard(string value, bool variables)
    {
        var spans = variables ? Variables(value) : [];
        var next = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (next < spans.Count && i == spans[next].Start)
            {
                i = spans[next++].End - 1;
                continue;
            }
            if (value[i] is '*' or '?')
                return true;
        }
        return false;
    }

    /// <summary>
    /// Splits an ARN (or ARN pattern) into at most six fields at the colons that are not inside a variable, so
    /// <c>arn:aws:s3:::${aws:username}</c> keeps its variable whole. The sixth field keeps any further colons.
    /// </summary>
    public static List<string> ArnFields(string value, bool variables)
    {
        var spans = variables ? Variables(value) : [];
        var fields = new List<string>(6);
        var start = 0;
        var next = 0;
        for (var i = 0; i < value.Length && fields.Count < 5; i++)
        {
            if (next < spans.Count && i == spans[next].Start)
            {
                i = spans[next++].End - 1;
                continue;
            }
            if (value[i] == ':')
            {
                fields.Add(value[start..i]);
                start = i + 1;
            }
        }
        fields.Add(value[start..]);
        return fields;
    }

    /// <summary>
    /// The first variable that starts before the resource field of an ARN (that is, before the fifth colon that is
    /// not inside a variable), or null.
    /// </summary>
    public static string? VariableBeforeResourceField(string value)
    {
        var spans = Variables(value);
        var colons = 0;
        var next = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (next < spans.Count && i == spans[next].Start)
            {
                var span = spans[next++];
                if (span.Variable.EscapedChar is null)
                    return span.Text(value);
                i = span.End - 1;
                continue;
            }
            if (value[i] == ':' && ++colons == 5)
                return null;
        }
        return null;
    }

    /// <summary>
    /// Finds text that starts like a variable (<c>${</c>) but is not a well-formed one, which AWS rejects and the
    /// engine would read as literal text. Returns the fragment and what is wrong with it.
    /// </summary>
    public static (string Fragment, string Problem)? MalformedVariable(string value)
    {
        for (var i = value.IndexOf("${", StringComparison.Ordinal); i >= 0;)
        {
            if (PolicyVariable.TryParse(value, i, out _, out var end))
            {
                i = value.IndexOf("${", end, StringComparison.Ordinal);
                continue;
            }
            var close = value.IndexOf('}', i + 2);
            if (close < 0)
                return (value[i..], "the policy variable has no closing `}`");
            var fragment = value[i..(close + 1)];
            var body = value.AsSpan(i + 2, close - i - 2);
            var comma = body.IndexOf(',');
            if (comma >= 0)
            {
                var rest = body[(comma + 1)..].Trim();
                if (rest.Length < 2 || rest[0] != '\'' || rest[^1] != '\'')
                    return (fragment, "the default value of a policy variable must be in single quotes, as in `${aws:username, 'none'}`");
                body = body[..comma];
            }
            var key = body.Trim();
            if (key.Length == 0)
                return (fragment, "the policy variable is empty");
            if (key.Contains(' '))
                return (fragment, "a policy variable name cannot contain a space");
            return (fragment, "a policy variable name cannot contain `'`, `$` or `{`");
        }
        return null;
    }
}
