using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>AUTHZ2001: no <c>Version</c>, so the document has 2008-10-17 semantics.</summary>
internal sealed class MissingVersionCheck() : PolicyCheck(new("AUTHZ2001", Severity.Warning, "missing Version"))
{
    public override void Run(ValidationContext context)
    {
        if (context.Document.Version is null)
            // The model keeps no position for the document itself; its first character is the best place to point.
            Report(context, new SourceLocation("", 1, 1),
                "missing `Version`: the document gets 2008-10-17 semantics, where policy variables are literal text; add `\"Version\": \"2012-10-17\"`");
    }
}

/// <summary>AUTHZ2003: two statements with the same <c>Sid</c>.</summary>
internal sealed class DuplicateSidCheck() : PolicyCheck(new("AUTHZ2003", Severity.Error, "duplicate Sid"))
{
    public override void Run(ValidationContext context)
    {
        var seen = new Dictionary<string, PolicyStatement>(StringComparer.Ordinal);
        foreach (var statement in context.Document.Statements)
        {
            if (string.IsNullOrEmpty(statement.Sid))
                continue;
            if (seen.TryGetValue(statement.Sid, out var first))
                Report(context, SidLocation(statement),
                    $"duplicate `Sid` `{statement.Sid}`, already used by {ValidationContext.Name(first)}; statement ids must be unique within a policy");
            else
                seen.Add(statement.Sid, statement);
        }
    }

    // The model records where a statement starts but not where its Sid is.
    internal static SourceLocation SidLocation(PolicyStatement statement) =>
        statement.Location with { Path = ValidationContext.Name(statement) + ".Sid" };
}

/// <summary>AUTHZ2004: a <c>Sid</c> with characters IAM does not accept.</summary>
internal sealed class InvalidSidCharactersCheck() : StatementCheck(new("AUTHZ2004", Severity.Warning, "statement id with characters IAM rejects"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        // IAM (identity policies, boundaries, trust and session policies) allows only ASCII letters and digits;
        // resource policies of other services (S3, SQS, SNS) accept more, and so does the guardrail grammar.
        if (context.Type is PolicyType.Resource or PolicyType.Guardrail or PolicyType.ResourceGuardrail)
            return;
        if (statement.Sid is not { Length: > 0 } sid)
            return;
        var bad = sid.FirstOrDefault(c => !char.IsAsciiLetterOrDigit(c));
        if (bad != default)
            Report(context, DuplicateSidCheck.SidLocation(statement),
                $"`Sid` `{sid}` contains {Describe(bad)}; IAM accepts only letters A-Z, a-z and digits 0-9");
    }

    private static string Describe(char c) => c == ' ' ? "a space" : $"`{c}`";
}

/// <summary>AUTHZ2005: an empty <c>Sid</c>.</summary>
internal sealed class EmptySidCheck() : StatementCheck(new("AUTHZ2005", Severity.Suggestion, "empty Sid"))
{
    protected override void Check(ValidationContext context, PolicyStatement statement)
    {
        if (statement.Sid is "")
            Report(context, DuplicateSidCheck.SidLocation(statement), "`Sid` is empty; give the statement an id or remove `Sid`");
    }
}
