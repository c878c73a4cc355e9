using System.Collections.Immutable;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>One condition key under one operator, with the operator already parsed.</summary>
internal readonly record struct ConditionSite(
    PolicyStatement Statement,
    ConditionBlock Block,
    ConditionOperator Operator,
    ConditionClause Clause);

/// <summary>The document under validation, the policy type it is validated as, and the findings so far.</summary>
internal sealed class ValidationContext
{
    public ValidationContext(PolicyDocument document, PolicyType type)
    {
        Document = document;
        Type = type;
        var sites = ImmutableArray.CreateBuilder<ConditionSite>();
        foreach (var statement in document.Statements)
            foreach (var block in statement.Conditions)
                // The parser rejects unknown operators; a document built in code may still hold one, and then no
                // condition check can say anything about it.
                if (ConditionOperator.TryParse(block.Operator, out var op, out _))
                    foreach (var clause in block.Clauses)
                        sites.Add(new ConditionSite(statement, block, op, clause));
        Conditions = sites.ToImmutable();
    }

    public PolicyDocument Document { get; }

    public PolicyType Type { get; }

    /// <summary>Whether <c>${...}</c> is substituted: only in 2012-10-17 documents.</summary>
    public bool VariablesEnabled => Document.LanguageVersion == PolicyLanguageVersion.V2012_10_17;

    /// <summary>Whether statements name principals (resource and trust policies).</summary>
    public bool IsPrincipalBased => Type is PolicyType.Resource or PolicyType.Trust;

    /// <summary>
    /// Whether an Allow in this policy grants access by itself. Boundaries, guardrails and session policies only
    /// limit, and an <c>Allow *</c> in them is the normal way to write "no limit".
    /// </summary>
    public bool AllowGrants => Type is PolicyType.Identity or PolicyType.Resource or PolicyType.Trust;

    /// <summary>Every condition clause of the document, in document order.</summary>
    public ImmutableArray<ConditionSite> Conditions { get; }

    /// <summary>Each statement reduced to what decides its effect, in document order; built on first use.</summary>
    public IReadOnlyList<StatementShape> Shapes => _shapes ??= [.. Document.Statements.Select(s => new StatementShape(s, VariablesEnabled))];

    private StatementShape[]? _shapes;

    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>Compiler diagnostics (code, location) that a validator finding replaces.</summary>
    public HashSet<(string Code, SourceLocation Location)> Superseded { get; } = [];

    /// <summary>The condition clauses of one statement.</summary>
    public IEnumerable<ConditionSite> ConditionsOf(PolicyStatement statement) =>
        Conditions.Where(c => ReferenceEquals(c.Statement, statement));

    /// <summary>The path of a statement for messages, e.g. <c>statement[2]</c>.</summary>
    public static string Name(PolicyStatement statement) =>
        statement.Location.Path.Length > 0 ? statement.Location.Path : $"statement[{statement.Index}]";
}

/// <summary>A validation check: a rule and the code that finds its violations.</summary>
internal abstract class PolicyCheck(ValidationRule rule)
{
    public ValidationRule Rule { get; } = rule;

    /// <summary>
    /// A compiler diagnostic code that this check's findings replace at the same location, so that a bad value is
    /// reported once, with the validator's message.
    /// </summary>
    public virtual string? Supersedes => null;

    public abstract void Run(ValidationContext context);

    protected void Report(ValidationContext context, SourceLocation at, string message)
    {
        context.Diagnostics.Add(new Diagnostic(Rule.Id, Rule.Severity, message, at));
        if (Supersedes is { } code)
            context.Superseded.Add((code, at));
    }
}

/// <summary>A check that looks at one statement at a time.</summary>
internal abstract class StatementCheck(ValidationRule rule) : PolicyCheck(rule)
{
    public sealed override void Run(ValidationContext context)
    {
        foreach (var statement in context.Document.Statements)
            Check(context, statement);
    }

    protected abstract void Check(ValidationContext context, PolicyStatement statement);
}

/// <summary>A check that looks at one condition clause at a time.</summary>
internal abstract class ConditionCheck(ValidationRule rule) : PolicyCheck(rule)
{
    public sealed override void Run(ValidationContext context)
    {
        foreach (var site in context.Conditions)
            Check(context, site);
    }

    protected abstract void Check(ValidationContext context, ConditionSite site);
}
