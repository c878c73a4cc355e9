using System.Diagnostics.CodeAnalysis;

namespace Authz.Policy.Conditions;

/// <summary>The base condition operators AWS defines (without qualifiers or the IfExists suffix).</summary>
public enum OperatorKind
{
    StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike,
    NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals,
    DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress, NotIpAddress,
    ArnEquals, ArnLike, ArnNotEquals, ArnNotLike,
    Null,
}

/// <summary>The value type an operator compares.</summary>
public enum OperatorFamily { String, Numeric, Date, Bool, Binary, Ip, Arn, Null }

/// <summary>The multivalued-key qualifier written before the operator.</summary>
public enum SetQualifier
{
    /// <summary>No qualifier: a multivalued key matches when any of its values matches.</summary>
    None,
    /// <summary><c>ForAnyValue:</c> at least one request value must match; false on a missing or empty key.</summary>
    ForAnyValue,
    /// <summary><c>ForAllValues:</c> every request value must match; true on a missing or empty key.</summary>
    ForAllValues,
}

/// <summary>A fully parsed condition operator such as <c>ForAllValues:StringLikeIfExists</c>.</summary>
/// <remarks>
/// <paramref name="Kind"/> is the operator as written; for negated operators the evaluator computes the positive form
/// and negates it, so that several policy values AND together as AWS documents.
/// </remarks>
public readonly record struct ConditionOperator(OperatorKind Kind, SetQualifier Qualifier, bool IfExists)
{
    private static readonly Dictionary<string, OperatorKind> Names =
        Enum.GetValues<OperatorKind>().ToDictionary(k => k.ToString(), k => k, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every base operator name, for messages and suggestions.</summary>
    public static IEnumerable<string> BaseNames => Names.Keys;

    /// <summary>True for operators that hold when the request value does NOT match (StringNotEquals, NotIpAddress, ...).</summary>
    public bool IsNegated => Kind is OperatorKind.StringNotEquals or OperatorKind.StringNotEqualsIgnoreCase
        or OperatorKind.StringNotLike or OperatorKind.NumericNotEquals or OperatorKind.DateNotEquals
        or OperatorKind.NotIpAddress or OperatorKind.ArnNotEquals or OperatorKind.ArnNotLike;

    /// <summary>The value family the operator compares.</summary>
    public OperatorFamily Family => Kind switch
    {
        <= OperatorKind.StringNotLike => OperatorFamily.String,
        <= OperatorKind.NumericGreaterThanEquals => OperatorFamily.Numeric,
        <= OperatorKind.DateGreaterThanEquals => OperatorFamily.Date,
        OperatorKind.Bool => OperatorFamily.Bool,
        OperatorKind.BinaryEquals => OperatorFamily.Binary,
        OperatorKind.IpAddress or OperatorKind.NotIpAddress => OperatorFamily.Ip,
        OperatorKind.Null => OperatorFamily.Null,
        _ => OperatorFamily.Arn,
    };

    /// <summary>Whether policy variables are substituted in this operator's values (string and ARN operators only).</summary>
    public bool SupportsVariables => Family is OperatorFamily.String or OperatorFamily.Arn;

    /// <summary>Parses an operator name; matching is case-insensitive.</summary>
    public static bool TryParse(string text, out ConditionOperator op, [NotNullWhen(false)] out string? error)
    {
        op = default;
        var rest = text.AsSpan();
        var qualifier = SetQualifier.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }

        var ifExists = false;
        if (rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase) && rest.Length > "IfExists".Length)
        {
            ifExists = true;
            rest = rest[..^"IfExists".Length];
        }

        if (!Names.TryGetValue(rest.ToString(), out var kind))
        {
            error = $"unknown operator `{text}`";
            return false;
        }
        if (kind == OperatorKind.Null && ifExists)
        {
            error = $"operator `{text}`: `Null` cannot take the `IfExists` suffix";
            return false;
        }
        if (kind == OperatorKind.Null && qualifier != SetQualifier.None)
        {
            error = $"operator `{text}`: `Null` cannot take a set qualifier";
            return false;
        }
        op = new ConditionOperator(kind, qualifier, ifExists);
        error = null;
        return true;
    }

    /// <summary>The canonical spelling, e.g. <c>ForAnyValue:StringLikeIfExists</c>.</summary>
    public override string ToString() =>
        (Qualifier == SetQualifier.None ? "" : Qualifier + ":") + Kind + (IfExists ? "IfExists" : "");
}
