using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>AUTHZ2030: a resource or trust policy that allows everyone, with no condition that limits who.</summary>
internal sealed class PublicAccessCheck() : StatementCheck(new("AUTHZ2030", Severity.SecurityWarning, "allow for everyone without a limiting condition"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (!context.IsPrincipalBased || statement.Effect != Effect.Allow || statement.Principal is not { Negated: false } principal)
            return;
        if (!IsEveryone(principal) || context.ConditionsOf(statement).Any(LimitsCaller))
            return;
        Report(context, principal.Location,
            "`Principal` `*` with `Allow` lets anyone, in any account, use this statement; name the principals or add a condition on `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceArn` or `aws:SourceAccount`");
    }

    // The engine's PrincipalMatcher treats `"*"`, `{"AWS": "*"}` and `{"Service": "*"}` alike: they match every caller.
    private static bool IsEveryone(PrincipalElement principal) =>
        principal.IsWildcard || principal.Entries.Any(e => e.Type is "AWS" or "Service" && e.Values.Any(v => v.Value == "*"));

    /// <summary>
    /// Whether a condition narrows who the caller can be: a positive test, on a key that identifies the caller, that
    /// fails when the key is missing and does not accept every value.
    /// </summary>
    private static bool LimitsCaller(ConditionSite site)
    {
        var op = site.Operator;
        if (op.IsNegated || op.IfExists || op.Qualifier == SetQualifier.ForAllValues || op.Family == OperatorFamily.Null)
            return false;
        if (GlobalConditionKeys.Find(site.Clause.Key) is not { IdentifiesCaller: true })
            return false;
        return !site.Clause.Values.Any(v => AcceptsEverything(op, v.Text));
    }

    private static bool AcceptsEverything(ConditionOperator op, string value) => op.Family switch
    {
        OperatorFamily.Ip => ConditionValues.TryParseCidr(value, out var range) && range.PrefixBits == 0,
        OperatorFamily.Arn => value.Trim('*').Length == 0,
        _ => op.Kind is OperatorKind.StringLike && value.Trim('*').Length == 0,
    };
}

/// <summary>AUTHZ2031: <c>Allow</c> with <c>NotPrincipal</c>.</summary>
internal sealed class AllowWithNotPrincipalCheck() : StatementCheck(new("AUTHZ2031", Severity.SecurityWarning, "allow with NotPrincipal"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Effect == Effect.Allow && statement.Principal is { Negated: true } principal)
            Report(context, principal.Location,
                "`Allow` with `NotPrincipal` allows every principal not listed, anonymous callers included; name the allowed principals in `Principal` instead");
    }
}

/// <summary>AUTHZ2032: <c>Deny</c> with <c>NotPrincipal</c>, which AWS recommends against.</summary>
internal sealed class DenyWithNotPrincipalCheck() : StatementCheck(new("AUTHZ2032", Severity.Warning, "deny with NotPrincipal"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Effect == Effect.Deny && statement.Principal is { Negated: true } principal)
            Report(context, principal.Location,
                "`Deny` with `NotPrincipal` must list every ARN a caller can appear as (role, role session, account); use `Principal: \"*\"` with an `ArnNotEquals` condition on `aws:PrincipalArn` instead");
    }
}

/// <summary>AUTHZ2033: a wildcard inside a principal name or ARN.</summary>
internal sealed class WildcardInPrincipalCheck() : StatementCheck(new("AUTHZ2033", Severity.Error, "wildcard in a principal"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        foreach (var entry in statement.Principal?.Entries ?? [])
        {
            foreach (var value in entry.Values)
            {
                // `*` alone means everyone for AWS (and, in this engine, for Service); anywhere else it is literal.
                if (value.Value == "*" && entry.Type is "AWS" or "Service")
                    continue;
                if (value.Value.AsSpan().ContainsAny('*', '?'))
                    Report(context, value.Location,
                        $"`{value.Value}` has a wildcard, but principals take `*` only on its own; match a pattern with an `ArnLike` condition on `aws:PrincipalArn`");
            }
        }
    }
}

/// <summary>AUTHZ2034: a principal named by unique id (<c>AIDA...</c>, <c>AROA...</c>) instead of ARN.</summary>
internal sealed class PrincipalUniqueIdCheck() : StatementCheck(new("AUTHZ2034", Severity.Warning, "principal named by unique id"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        foreach (var entry in statement.Principal?.Entries ?? [])
            if (entry.Type == "AWS")
                foreach (var value in entry.Values)
                    if (IsUniqueId(value.Value))
                        Report(context, value.Location,
                            $"`{value.Value}` is {(value.Value.StartsWith("AROA", StringComparison.Ordinal) ? "a role's" : "a user's")} unique id, which the engine never matches to a caller; name the principal by its ARN");
    }

    /// <summary>Whether <paramref name="value"/> has the shape of an IAM user or role unique id.</summary>
    internal static bool IsUniqueId(string value) =>
        value.Length >= 16 && (value.StartsWith("AIDA", StringComparison.Ordinal) || value.StartsWith("AROA", StringComparison.Ordinal))
        && value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}
