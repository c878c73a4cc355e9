using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>AUTHZ2010: <c>Allow</c> with <c>NotAction</c>.</summary>
internal sealed class AllowWithNotActionCheck() : StatementCheck(new("AUTHZ2010", Severity.SecurityWarning, "allow with NotAction"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Effect == Effect.Allow && statement.Action.Negated)
            Report(context, statement.Action.Location,
                "`Allow` with `NotAction` allows every action not listed, including actions added later; list the allowed actions in `Action` instead");
    }
}

/// <summary>AUTHZ2011: an action pattern that no action can match.</summary>
internal sealed class UnmatchableActionCheck() : StatementCheck(new("AUTHZ2011", Severity.Error, "action that matches nothing"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        foreach (var value in statement.Action.Values)
            if (Problem(value.Value) is { } problem)
                Report(context, value.Location, $"`{value.Value}` can match no action: it {problem}");
    }

    /// <summary>Why <paramref name="action"/> can match no <c>service:Action</c> name, or null when it can.</summary>
    internal static string? Problem(string action)
    {
        // Variables are reported by AUTHZ2015; `*` alone matches everything.
        if (action == "*" || PolicyVariable.ContainsVariable(action))
            return null;
        var colon = action.IndexOf(':');
        if (colon < 0)
            // Without a colon only a `*` can stand in for `service:`, as in `*Object`.
            return action.Contains('*') ? null : "has no service prefix; write it as `service:Action`";
        if (action.IndexOf(':', colon + 1) >= 0)
            return "has more than one colon";
        var service = action.AsSpan(0, colon);
        var name = action.AsSpan(colon + 1);
        if (service.IsEmpty)
            return "has an empty service prefix";
        if (name.IsEmpty)
            return "has no action name after the colon";
        if (FirstInvalid(service) is { } s)
            return $"has {Describe(s)} in its service prefix";
        if (FirstInvalid(name) is { } n)
            return $"has {Describe(n)} in its action name";
        return null;
    }

    // Service prefixes and action names are ASCII letters, digits and hyphens (`execute-api`); `_` is tolerated.
    private static char? FirstInvalid(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '*' or '?' or '_' or '-'))
                return c;
        return null;
    }

    private static string Describe(char c) => c == ' ' ? "a space" : $"the character `{c}`";
}

/// <summary>AUTHZ2012: a partial wildcard in a service name, which also matches services with similar names.</summary>
internal sealed class PartialWildcardInServiceCheck() : StatementCheck(new("AUTHZ2012", Severity.Suggestion, "partial wildcard in service name"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        foreach (var value in statement.Action.Values)
        {
            var colon = value.Value.IndexOf(':');
            if (colon > 0 && IsPartialWildcard(value.Value[..colon]))
                Report(context, value.Location,
                    $"service prefix `{value.Value[..colon]}` in action `{value.Value}` has a wildcard, so it also matches other services with similar names; name the service");
        }
        foreach (var value in statement.Resource?.Values ?? [])
        {
            var fields = PolicyText.ArnFields(value.Value, context.VariablesEnabled);
            if (fields.Count == 6 && fields[0] == "arn" && IsPartialWildcard(fields[2]))
                Report(context, value.Location,
                    $"service `{fields[2]}` in resource `{value.Value}` has a wildcard, so it also matches other services with similar names; name the service");
        }
    }

    // `*` on its own is a deliberate "every service"; `*code*` or `s3*` is the accident this check is about.
    private static bool IsPartialWildcard(string service) => service != "*" && service.AsSpan().IndexOfAny('*', '?') >= 0;
}

/// <summary>
/// AUTHZ2013 and AUTHZ2024: a value of an <c>Action</c> or <c>Resource</c> list that another value of the same list
/// already covers. One class serves both: they differ only in the element and the matching mode.
/// </summary>
internal sealed class RedundantValueCheck(ValidationRule rule, string noun, bool actions) : StatementCheck(rule)
{
    public static RedundantValueCheck ForActions() =>
        new(new("AUTHZ2013", Severity.Suggestion, "redundant action"), "action", actions: true);

    public static RedundantValueCheck ForResources() =>
        new(new("AUTHZ2024", Severity.Suggestion, "redundant resource"), "resource", actions: false);

    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        var values = actions ? statement.Action.Values : statement.Resource?.Values ?? [];
        var mode = actions ? PatternMode.Action : PatternMode.Arn;
        var variables = !actions && context.VariablesEnabled;
        for (var j = 0; j < values.Length; j++)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (i == j || !PatternCoverage.Covers(values[i].Value, values[j].Value, mode, variables))
                    continue;
                // Two values that cover each other are the same set: report only the later one.
                if (i > j && PatternCoverage.Covers(values[j].Value, values[i].Value, mode, variables))
                    continue;
                var how = i < j && PatternCoverage.Covers(values[j].Value, values[i].Value, mode, variables)
                    ? $"repeats `{values[i].Value}`"
                    : $"is already covered by `{values[i].Value}`";
                Report(context, values[j].Location, $"{noun} `{values[j].Value}` {how}; remove it");
                break;
            }
        }
    }
}

/// <summary>AUTHZ2014: <c>iam:PassRole</c> allowed on every role.</summary>
internal sealed class PassRoleOnAllResourcesCheck() : StatementCheck(new("AUTHZ2014", Severity.SecurityWarning, "iam:PassRole on every role"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Effect != Effect.Allow || !context.AllowGrants || statement.Resource is not { } resource)
            return;
        if (!AllowsAction(statement.Action, "iam:PassRole"))
            return;
        // AWS's advice is to name roles or limit the receiving service; a positive iam:PassedToService condition does
        // the latter.
        if (context.ConditionsOf(statement).Any(c => c.Clause.Key.Equals("iam:PassedToService", StringComparison.OrdinalIgnoreCase)
                && !c.Operator.IsNegated && !c.Operator.IfExists && c.Operator.Family != OperatorFamily.Null))
            return;

        var via = statement.Action.Negated ? "`NotAction` leaves `iam:PassRole` allowed" : "the statement allows `iam:PassRole`";
        if (resource.Negated)
            Report(context, resource.Location,
                $"{via} on every role except those in `NotResource`, so principals can pass privileged roles to any service; list the roles in `Resource` or add an `iam:PassedToService` condition");
        else if (resource.Values.FirstOrDefault(v => CoversEveryRole(v.Value, context.VariablesEnabled)) is { Value: not null } broad)
            Report(context, broad.Location,
                $"{via} on `{broad.Value}`, so principals can pass any role to any service; name the roles or add an `iam:PassedToService` condition");
    }

    /// <summary>Whether an <c>Action</c>/<c>NotAction</c> element covers <paramref name="action"/>.</summary>
    internal static bool AllowsAction(ValueList element, string action)
    {
        var listed = element.Values.Any(v => WildcardPattern.Compile(v.Value, PatternMode.Action, variables: false).IsMatch(action));
        return listed != element.Negated;
    }

    /// <summary>Whether a resource pattern covers every role of the accounts it names (<c>*</c>, <c>arn:aws:iam::1:role/*</c>).</summary>
    private static bool CoversEveryRole(string value, bool variables)
    {
        if (value == "*")
            return true;
        var fields = PolicyText.ArnFields(value, variables);
        return fields.Count == 6 && fields[0] == "arn"
            && PatternCoverage.Covers(fields[2], "iam", PatternMode.Arn, variables)
            && PatternCoverage.Covers(fields[5], "role/*", PatternMode.Arn, variables);
    }
}
