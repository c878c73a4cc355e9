using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>
/// A statement reduced to what decides its effect: action, resource and principal sets and condition clauses,
/// without Sid or the order and spelling that do not matter.
/// </summary>
internal sealed class StatementShape
{
    private readonly PolicyStatement _statement;
    private readonly HashSet<string> _principals;
    private readonly HashSet<string> _conditions;
    private readonly bool _variables;

    public StatementShape(PolicyStatement statement, bool variables)
    {
        _statement = statement;
        _variables = variables;
        _principals = statement.Principal is not { } p
            ? []
            : p.IsWildcard
                ? [Key("AWS", "*")]
                : [.. p.Entries.SelectMany(e => e.Values.Select(v => Key(e.Type, v.Value)))];
        _conditions = [.. statement.Conditions.SelectMany(b => b.Clauses.Select(c => ConditionKey(b, c)))];
    }

    private static string Key(string type, string value) => type + "\n" + value;

    private static string ConditionKey(ConditionBlock block, ConditionClause clause)
    {
        // Operator and key names are case-insensitive; values are compared as written, in any order.
        var op = ConditionOperator.TryParse(block.Operator, out var parsed, out _) ? parsed.ToString() : block.Operator;
        return string.Join("\n", [op, clause.Key.ToLowerInvariant(), .. clause.Values.Select(v => v.Text).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Whether both statements say exactly the same thing.</summary>
    public bool SameAs(StatementShape other) =>
        _statement.Effect == other._statement.Effect
        && SameList(_statement.Action, other._statement.Action, StringComparer.OrdinalIgnoreCase)
        && (_statement.Resource is null
            ? other._statement.Resource is null
            : other._statement.Resource is { } r && SameList(_statement.Resource, r, StringComparer.Ordinal))
        && _statement.Principal?.Negated == other._statement.Principal?.Negated
        && _principals.SetEquals(other._principals)
        && _conditions.SetEquals(other._conditions);

    /// <summary>
    /// Whether this statement applies to every request <paramref name="other"/> applies to, with the same effect,
    /// so that <paramref name="other"/> never changes a decision.
    /// </summary>
    public bool Covers(StatementShape other)
    {
        var a = _statement;
        var b = other._statement;
        return a.Effect == b.Effect
            && CoversList(a.Action, b.Action, PatternMode.Action)
            && (a.Resource is null || (b.Resource is { } r ? CoversList(a.Resource, r, PatternMode.Arn) : HasMatchAll(a.Resource)))
            && CoversPrincipal(other)
            // Fewer conditions apply more widely: every clause of this statement must also constrain the other one.
            && _conditions.IsSubsetOf(other._conditions);
    }

    private bool CoversPrincipal(StatementShape other)
    {
        var a = _statement.Principal;
        var b = other._statement.Principal;
        if (a is null || b is null)
            return a is null && b is null;
        if (a.Negated || b.Negated)
            return a.Negated && b.Negated && _principals.SetEquals(other._principals);
        // `*` matches every caller, but for an Allow it does not replace naming a caller directly: a grant to a user's
        // own ARN is not limited by its permissions boundary, a grant to everyone is (see PrincipalMatch).
        if (_statement.Effect == Effect.Deny && _principals.Contains(Key("AWS", "*")))
            return true;
        return other._principals.IsSubsetOf(_principals);
    }

    private bool CoversList(ValueList general, ValueList specific, PatternMode mode)
    {
        var variables = mode == PatternMode.Arn && _variables;
        return (general.Negated, specific.Negated) switch
        {
            (false, false) => specific.Values.All(s => general.Values.Any(g => PatternCoverage.Covers(g.Value, s.Value, mode, variables))),
            // Excluding less allows more: every exclusion of the general list must be excluded by the specific one.
            (true, true) => general.Values.All(g => specific.Values.Any(s => PatternCoverage.Covers(s.Value, g.Value, mode, variables))),
            (false, true) => HasMatchAll(general),
            // Would need to prove the lists disjoint; not covered is the safe answer.
            _ => false,
        };
    }

    private static bool SameList(ValueList a, ValueList b, StringComparer comparer) =>
        a.Negated == b.Negated && a.Values.Select(v => v.Value).ToHashSet(comparer).SetEquals(b.Values.Select(v => v.Value));

    private static bool HasMatchAll(ValueList list) => !list.Negated && list.Values.Any(v => v.Value == "*");
}

/// <summary>AUTHZ2060: a statement identical to an earlier one.</summary>
internal sealed class DuplicateStatementCheck() : PolicyCheck(new("AUTHZ2060", Severity.Suggestion, "duplicate statement"))
{
    public override void Run(ValidationContext context)
    {
        var statements = context.Document.Statements;
        var shapes = context.Shapes;
        for (var j = 1; j < shapes.Count; j++)
        {
            for (var i = 0; i < j; i++)
            {
                if (!shapes[i].SameAs(shapes[j]))
                    continue;
                Report(context, statements[j].Location,
                    $"repeats {ValidationContext.Name(statements[i])}: same effect, actions, resources, principals and conditions; remove one of them");
                break;
            }
        }
    }
}

/// <summary>AUTHZ2061: a statement that another statement of the same effect fully covers.</summary>
internal sealed class CoveredStatementCheck() : PolicyCheck(new("AUTHZ2061", Severity.Warning, "statement covered by another"))
{
    public override void Run(ValidationContext context)
    {
        var statements = context.Document.Statements;
        var shapes = context.Shapes;
        for (var j = 0; j < shapes.Count; j++)
        {
            // Exact repeats are AUTHZ2060's finding.
            if (Enumerable.Range(0, shapes.Count).Any(i => i != j && shapes[i].SameAs(shapes[j])))
                continue;
            for (var i = 0; i < shapes.Count; i++)
            {
                if (i == j || !shapes[i].Covers(shapes[j]))
                    continue;
                // Two statements that cover each other are equivalent: report only the later one.
                if (i > j && shapes[j].Covers(shapes[i]))
                    continue;
                var verb = statements[j].Effect == Effect.Allow ? "allows" : "denies";
                Report(context, statements[j].Location,
                    $"{ValidationContext.Name(statements[i])} already {verb} everything this statement {verb}, so it never changes a decision; remove it, or narrow {ValidationContext.Name(statements[i])} if it is broader than meant");
                break;
            }
        }
    }
}

/// <summary>AUTHZ2062: a statement that no request can match, most dangerously a <c>Deny</c> that protects nothing.</summary>
internal sealed class StatementMatchesNothingCheck() : StatementCheck(new("AUTHZ2062", Severity.Warning, "statement that can never apply"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        var effect = $"this `{statement.Effect}` can never apply";
        if (statement.Action.Negated && statement.Action.Values.Any(v => v.Value == "*"))
            Report(context, statement.Action.Location, $"{effect}: `NotAction` lists `*`, which excludes every action");
        if (statement.Resource is { Negated: true } resource && resource.Values.Any(v => v.Value == "*"))
            Report(context, resource.Location, $"{effect}: `NotResource` lists `*`, which excludes every resource");
        if (statement.Principal is { Negated: true } principal
            && (principal.IsWildcard || principal.Entries.Any(e => e.Type == "AWS" && e.Values.Any(v => v.Value == "*"))))
            Report(context, principal.Location, $"{effect}: `NotPrincipal` excludes every principal");

        // `Null: true` demands the key be absent; an operator that fails on a missing key then never holds.
        var conditions = context.ConditionsOf(statement).ToList();
        foreach (var absent in conditions.Where(c => c.Operator.Kind == OperatorKind.Null
                     && c.Clause.Values.All(v => v.Text.Equals("true", StringComparison.OrdinalIgnoreCase))))
        {
            var needsKey = conditions.FirstOrDefault(c => c.Clause.Key.Equals(absent.Clause.Key, StringComparison.OrdinalIgnoreCase)
                && c.Operator.Family != OperatorFamily.Null && !c.Operator.IsNegated && !c.Operator.IfExists
                && c.Operator.Qualifier != SetQualifier.ForAllValues);
            if (needsKey.Clause is not null)
                Report(context, needsKey.Clause.Location,
                    $"{effect}: `Null` requires `{absent.Clause.Key}` to be absent, but `{needsKey.Block.Operator}` needs it present");
        }
    }
}
