using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>AUTHZ2040: <c>ForAllValues:</c> in an <c>Allow</c>, which holds when the key is missing.</summary>
internal sealed class ForAllValuesInAllowCheck() : ConditionCheck(new("AUTHZ2040", Severity.SecurityWarning, "set qualifier ForAllValues in an allow statement"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (site.Statement.Effect != Effect.Allow || site.Operator.Qualifier != SetQualifier.ForAllValues)
            return;
        // The documented remedy: also require the key to be present.
        if (context.ConditionsOf(site.Statement).Any(c => RequiresPresence(c, site.Clause.Key)))
            return;
        Report(context, site.Clause.Location,
            $"`{site.Block.Operator}` is also true when the request has no `{site.Clause.Key}`, so this `Allow` applies to such requests; add `\"Null\": {{\"{site.Clause.Key}\": \"false\"}}` or use `ForAnyValue:`");
    }

    private static bool RequiresPresence(ConditionSite c, string key) =>
        c.Operator.Kind == OperatorKind.Null && c.Clause.Key.Equals(key, StringComparison.OrdinalIgnoreCase)
        && c.Clause.Values.All(v => v.Text.Equals("false", StringComparison.OrdinalIgnoreCase));
}

/// <summary>AUTHZ2041: a set qualifier on a key that holds a single value.</summary>
internal sealed class QualifierOnSingleValuedKeyCheck() : ConditionCheck(new("AUTHZ2041", Severity.Warning, "set qualifier on a single-valued key"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        var op = site.Operator;
        if (op.Qualifier == SetQualifier.None || GlobalConditionKeys.Find(site.Clause.Key) is not { MultiValued: false })
            return;
        var plain = op with { Qualifier = SetQualifier.None };
        var effect = op.Qualifier == SetQualifier.ForAllValues
            ? "`ForAllValues:` also makes the condition true when the key is missing"
            : "`ForAnyValue:` adds nothing";
        Report(context, site.Clause.Location, $"`{site.Clause.Key}` holds a single value, and {effect}; use `{plain}`");
    }
}

/// <summary>AUTHZ2042: no set qualifier on a key that can hold several values.</summary>
internal sealed class MissingQualifierCheck() : ConditionCheck(new("AUTHZ2042", Severity.Warning, "missing set qualifier on a multivalued key"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        var op = site.Operator;
        if (op.Qualifier != SetQualifier.None || op.Family == OperatorFamily.Null)
            return;
        if (GlobalConditionKeys.Find(site.Clause.Key) is not { MultiValued: true })
            return;
        Report(context, site.Clause.Location,
            $"`{site.Clause.Key}` can hold several values; write `{op with { Qualifier = SetQualifier.ForAnyValue }}` (some value matches) or `{op with { Qualifier = SetQualifier.ForAllValues }}` (every value matches)");
    }
}

/// <summary>AUTHZ2050: a <c>Like</c> operator with no wildcard in any value.</summary>
internal sealed class LikeWithoutWildcardCheck() : ConditionCheck(new("AUTHZ2050", Severity.Suggestion, "like operator without a wildcard"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        var op = site.Operator;
        if (op.Kind is not (OperatorKind.StringLike or OperatorKind.StringNotLike))
            return;
        if (site.Clause.Values.Any(v => PolicyText.HasWildcard(v.Text, context.VariablesEnabled)))
            return;
        var equals = op with { Kind = op.Kind == OperatorKind.StringLike ? OperatorKind.StringEquals : OperatorKind.StringNotEquals };
        Report(context, site.Clause.Location,
            $"no value of `{site.Clause.Key}` under `{site.Block.Operator}` has a `*` or `?`; use `{equals}`");
    }
}

/// <summary>AUTHZ2051: a wildcard in a value of an equality operator, where it is a literal character.</summary>
internal sealed class WildcardWithoutLikeCheck() : ConditionCheck(new("AUTHZ2051", Severity.Warning, "wildcard in a StringEquals value"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        var op = site.Operator;
        var like = op.Kind switch
        {
            OperatorKind.StringEquals or OperatorKind.StringEqualsIgnoreCase => OperatorKind.StringLike,
            OperatorKind.StringNotEquals or OperatorKind.StringNotEqualsIgnoreCase => OperatorKind.StringNotLike,
            _ => (OperatorKind?)null,
        };
        if (like is null)
            return;
        foreach (var value in site.Clause.Values)
            if (PolicyText.HasWildcard(value.Text, context.VariablesEnabled))
                Report(context, value.Location,
                    $"`*` and `?` in `{value.Text}` are literal characters under `{site.Block.Operator}`; use `{op with { Kind = like.Value }}` to match a pattern");
    }
}

/// <summary>AUTHZ2052: an operator whose type does not fit the key (a date operator on a string key, say).</summary>
internal sealed class OperatorTypeMismatchCheck() : ConditionCheck(new("AUTHZ2052", Severity.Warning, "operator type does not fit the key"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (GlobalConditionKeys.Find(site.Clause.Key) is not { } key || GlobalConditionKeys.Accepts(key.Type, site.Operator.Family))
            return;
        Report(context, site.Clause.Location,
            $"`{site.Block.Operator}` compares {Compares(site.Operator.Family)}, but `{site.Clause.Key}` is {GlobalConditionKeys.Describe(key.Type)}");
    }

    private static string Compares(OperatorFamily family) => family switch
    {
        OperatorFamily.String => "strings",
        OperatorFamily.Numeric => "numbers",
        OperatorFamily.Date => "dates",
        OperatorFamily.Bool => "booleans",
        OperatorFamily.Binary => "base64 binary values",
        OperatorFamily.Ip => "IP addresses",
        _ => "ARNs",
    };
}

/// <summary>AUTHZ2053: a key in the <c>aws:</c> namespace that AWS does not define.</summary>
internal sealed class UnknownGlobalKeyCheck() : ConditionCheck(new("AUTHZ2053", Severity.Warning, "unknown global condition key"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        var key = site.Clause.Key;
        if (!GlobalConditionKeys.IsGlobal(key) || GlobalConditionKeys.Find(key) is not null)
            return;
        if (GlobalConditionKeys.TagPrefixWithoutKey(key) is { } prefix)
        {
            Report(context, site.Clause.Location, $"`{key}` needs a tag key, as in `{prefix}/team`");
            return;
        }
        var hint = Closest(key) is { } near ? $"; did you mean `{near}`?" : "";
        Report(context, site.Clause.Location, $"unknown global condition key `{key}`: no request carries it{hint}");
    }

    private static string? Closest(string key)
    {
        var best = (Name: (string?)null, Distance: 4);
        foreach (var name in GlobalConditionKeys.Names)
        {
            var d = Distance(key.ToLowerInvariant(), name.ToLowerInvariant());
            if (d < best.Distance)
                best = (name, d);
        }
        return best.Name;
    }

    /// <summary>Levenshtein distance, for "did you mean" hints.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

/// <summary>
/// AUTHZ2054: the same condition key twice in one operator block, or the same operator twice in one statement,
/// spelled with different case. Both are case-insensitive, so the author is testing one key twice.
/// </summary>
internal sealed class DuplicateCaseCheck() : StatementCheck(new("AUTHZ2054", Severity.Error, "condition key or operator repeated with different case"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        var operators = new Dictionary<string, ConditionBlock>(StringComparer.OrdinalIgnoreCase);
        foreach (var block in statement.Conditions)
        {
            if (operators.TryGetValue(block.Operator, out var first))
                Report(context, block.Location,
                    $"operator `{block.Operator}` repeats `{first.Operator}` with different case; operators are case-insensitive, so merge the two blocks");
            else
                operators.Add(block.Operator, block);

            var keys = new Dictionary<string, ConditionClause>(StringComparer.OrdinalIgnoreCase);
            foreach (var clause in block.Clauses)
            {
                if (keys.TryGetValue(clause.Key, out var earlier))
                    Report(context, clause.Location,
                        $"condition key `{clause.Key}` repeats `{earlier.Key}` with different case; keys are case-insensitive, so both must hold at once");
                else
                    keys.Add(clause.Key, clause);
            }
        }
    }
}

/// <summary>AUTHZ2056: <c>Bool</c> listing both <c>true</c> and <c>false</c>.</summary>
internal sealed class BoolBothValuesCheck() : ConditionCheck(new("AUTHZ2056", Severity.Warning, "boolean condition with both true and false"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (site.Operator.Kind != OperatorKind.Bool)
            return;
        var values = site.Clause.Values.Select(v => ConditionValues.TryParseBool(v.Text, out var b) ? b : (bool?)null).ToHashSet();
        if (values.Contains(true) && values.Contains(false))
            Report(context, site.Clause.Location,
                $"`{site.Block.Operator}` on `{site.Clause.Key}` lists both `true` and `false`, so it holds whenever the key is present; keep one value");
    }
}
