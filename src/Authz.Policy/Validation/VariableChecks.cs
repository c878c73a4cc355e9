using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>AUTHZ2002: a policy variable in a document whose version does not substitute variables.</summary>
internal sealed class VariableInLegacyVersionCheck() : PolicyCheck(new("AUTHZ2002", Severity.Warning, "policy variable in a 2008-10-17 document"))
{
    public override void Run(ValidationContext context)
    {
        if (context.VariablesEnabled)
            return;
        var version = context.Document.Version is null ? "a document without `Version`" : "a `2008-10-17` document";
        foreach (var statement in context.Document.Statements)
            foreach (var value in statement.Resource?.Values ?? [])
                Check(context, value.Value, value.Location, version);
        foreach (var site in context.Conditions)
            if (site.Operator.SupportsVariables)
                foreach (var value in site.Clause.Values)
                    Check(context, value.Text, value.Location, version);
    }

    private void Check(ValidationContext context, string value, SourceLocation at, string version)
    {
        if (PolicyText.Variables(value) is [var first, ..])
            Report(context, at, $"`{first.Text(value)}` is literal text in {version}; set `\"Version\": \"2012-10-17\"` to substitute it");
    }
}

/// <summary>AUTHZ2015: a policy variable where AWS never substitutes one (<c>Action</c>, <c>Principal</c>).</summary>
internal sealed class VariableInUnsupportedElementCheck() : StatementCheck(new("AUTHZ2015", Severity.Error, "policy variable outside Resource and Condition"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        var action = statement.Action.Negated ? "NotAction" : "Action";
        foreach (var value in statement.Action.Values)
            CheckValue(context, value, action);
        if (statement.Principal is { } principal)
            foreach (var entry in principal.Entries)
                foreach (var value in entry.Values)
                    CheckValue(context, value, principal.Negated ? "NotPrincipal" : "Principal");
    }

    private void CheckValue(ValidationContext context, LocatedString value, string element)
    {
        if (PolicyText.FirstVariable(value.Value) is { } variable)
            Report(context, value.Location,
                $"policy variables are substituted only in `Resource` and in string and ARN conditions; `{variable}` in `{element}` is literal text");
    }
}

/// <summary>AUTHZ2057: text that starts like a policy variable but is not a well-formed one.</summary>
internal sealed class MalformedVariableCheck() : PolicyCheck(new("AUTHZ2057", Severity.Error, "malformed policy variable"))
{
    public override void Run(ValidationContext context)
    {
        // Only 2012-10-17 documents substitute variables; in older ones every `${` is literal text by design.
        if (!context.VariablesEnabled)
            return;
        foreach (var statement in context.Document.Statements)
            foreach (var value in statement.Resource?.Values ?? [])
                Check(context, value.Value, value.Location);
        foreach (var site in context.Conditions)
            if (site.Operator.SupportsVariables)
                foreach (var value in site.Clause.Values)
                    Check(context, value.Text, value.Location);
    }

    private void Check(ValidationContext context, string value, SourceLocation at)
    {
        if (PolicyText.MalformedVariable(value) is { } bad)
            Report(context, at, $"`{bad.Fragment}`: {bad.Problem}; write a literal `$` as `${{$}}`");
    }
}
