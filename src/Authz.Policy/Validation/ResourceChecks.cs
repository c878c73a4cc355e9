using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>Where an ARN was written, which changes what is valid in it.</summary>
internal enum ArnOrigin { Resource, Condition, Principal }

/// <summary>An ARN written in a policy: a <c>Resource</c> value, an ARN condition value or an <c>AWS</c>/<c>Federated</c> principal.</summary>
internal readonly record struct ArnSite(string Value, SourceLocation Location, ArnOrigin Origin)
{
    /// <summary>Every ARN in the document that the ARN checks should read.</summary>
    public static IEnumerable<ArnSite> All(ValidationContext context)
    {
        foreach (var statement in context.Document.Statements)
        {
            foreach (var value in statement.Resource?.Values ?? [])
                if (value.Value != "*")
                    yield return new ArnSite(value.Value, value.Location, ArnOrigin.Resource);
            foreach (var entry in statement.Principal?.Entries ?? [])
                foreach (var value in entry.Values)
                    if (IsPrincipalArn(entry.Type, value.Value))
                        yield return new ArnSite(value.Value, value.Location, ArnOrigin.Principal);
        }
        foreach (var site in context.Conditions)
            if (site.Operator.Family == OperatorFamily.Arn)
                foreach (var value in site.Clause.Values)
                    if (value.Text != "*")
                        yield return new ArnSite(value.Text, value.Location, ArnOrigin.Condition);
    }

    // AWS principals are `*`, account ids, unique ids or ARNs; Federated principals are ARNs (SAML, OIDC providers)
    // or identity provider domains. Wildcards in principals are AUTHZ2033's concern, so those values are left to it.
    private static bool IsPrincipalArn(string type, string value) =>
        !value.AsSpan().ContainsAny('*', '?') && type switch
        {
            "AWS" => !Arn.IsAccountId(value) && !PrincipalUniqueIdCheck.IsUniqueId(value),
            "Federated" => value.StartsWith("arn:", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
}

/// <summary>AUTHZ2020: <c>Allow</c> with <c>NotResource</c>.</summary>
internal sealed class AllowWithNotResourceCheck() : StatementCheck(new("AUTHZ2020", Severity.SecurityWarning, "allow with NotResource"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Effect == Effect.Allow && statement.Resource is { Negated: true } resource)
            Report(context, resource.Location,
                "`Allow` with `NotResource` allows every resource not listed, including resources created later; list the allowed resources in `Resource` instead");
    }
}

/// <summary>AUTHZ2021: a malformed ARN in <c>Resource</c>, an ARN condition or <c>Principal</c>.</summary>
internal sealed class MalformedArnCheck() : PolicyCheck(new("AUTHZ2021", Severity.Error, "malformed ARN"))
{
    public override void Run(ValidationContext context)
    {
        foreach (var site in ArnSite.All(context))
            if (Problem(site, context.VariablesEnabled) is { } problem)
                Report(context, site.Location, problem);
    }

    private static string? Problem(ArnSite site, bool variables)
    {
        var value = site.Value;
        var fields = PolicyText.ArnFields(value, variables);
        // A variable may stand for several fields (`${aws:SourceArn}`): only the request can tell what they hold.
        var variableFields = variables && site.Origin != ArnOrigin.Principal && PolicyText.FirstVariable(value) is not null;
        if (fields[0] != "arn")
        {
            if (variableFields && fields[0].Contains("${", StringComparison.Ordinal))
                return null;
            return site.Origin == ArnOrigin.Principal
                ? $"`{value}` is not a principal: use `*`, a 12-digit account id or an ARN such as `arn:aws:iam::111122223333:role/name`"
                : $"`{value}` is not an ARN: it must be `*` or start with `arn:`";
        }
        if (fields.Count < 6)
            return variableFields
                ? null
                : $"`{value}` has {fields.Count} of the 6 ARN fields `arn:partition:service:region:account:resource`";
        if (fields[1].Length == 0)
            return $"`{value}` has an empty partition; use `aws` or `*`";
        if (fields[2].Length == 0)
            return $"`{value}` has an empty service";
        if (fields[2].Any(char.IsAsciiLetterUpper))
            return $"service `{fields[2]}` in `{value}` must be lowercase";
        if (fields[5].Length == 0)
            return $"`{value}` has an empty resource field";
        if (site.Origin == ArnOrigin.Principal && fields[2] is not ("iam" or "sts"))
            return $"`{value}` is not a principal ARN: principals are `iam` or `sts` ARNs";
        return null;
    }
}

/// <summary>AUTHZ2022: an ARN whose account field is not a 12-digit account id.</summary>
internal sealed class InvalidArnAccountCheck() : PolicyCheck(new("AUTHZ2022", Severity.Error, "invalid account in ARN"))
{
    public override void Run(ValidationContext context)
    {
        foreach (var site in ArnSite.All(context))
        {
            var fields = PolicyText.ArnFields(site.Value, context.VariablesEnabled);
            if (fields.Count != 6 || fields[0] != "arn")
                continue;
            var account = fields[4];
            // Empty (S3, global resources), wildcards, variables and `aws` (AWS managed policies) are all valid.
            if (account.Length == 0 || account == "aws" || Arn.IsAccountId(account)
                || account.AsSpan().ContainsAny('*', '?') || account.Contains("${", StringComparison.Ordinal))
                continue;
            Report(context, site.Location, $"account `{account}` in `{site.Value}` is not a 12-digit account id");
        }
    }
}

/// <summary>AUTHZ2023: a policy variable in the fields of a resource ARN before the resource field.</summary>
internal sealed class VariableBeforeResourceFieldCheck() : StatementCheck(new("AUTHZ2023", Severity.Warning, "policy variable before the resource field of an ARN"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (!context.VariablesEnabled)
            return;
        foreach (var value in statement.Resource?.Values ?? [])
            if (PolicyText.VariableBeforeResourceField(value.Value) is { } variable)
                Report(context, value.Location,
                    $"`{variable}` in `{value.Value}` comes before the fifth colon; AWS substitutes variables only in the resource field of an ARN, so this policy does not behave the same in AWS");
    }
}
