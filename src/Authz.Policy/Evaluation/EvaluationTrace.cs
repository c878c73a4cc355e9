using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>
/// A reusable collector for what an evaluation found: the determining statements and, when
/// <see cref="Explain"/> is set, the statements that failed only on a condition. Reuse one per thread to keep the
/// hot path allocation-free; it is not thread-safe.
/// </summary>
public sealed class EvaluationTrace
{
    internal readonly List<CompiledStatement> Denies = [];
    internal readonly List<CompiledStatement> Allows = [];
    internal readonly List<(CompiledStatement Statement, CompiledCondition Condition)> FailedConditions = [];
    internal readonly List<(CompiledStatement Statement, CompiledCondition Condition)> Errors = [];

    /// <summary>Also collect statements that failed only on a condition.</summary>
    public bool Explain { get; set; }

    /// <summary>The context of the evaluation being traced, for explanations.</summary>
    internal RequestContext Context { get; set; } = RequestContext.Empty;

    /// <summary>Why the decision was reached when no statement explains it.</summary>
    public string? Reason { get; internal set; }

    /// <summary>Clears the trace for the next evaluation.</summary>
    public void Reset()
    {
        Denies.Clear();
        Allows.Clear();
        FailedConditions.Clear();
        Errors.Clear();
        Reason = null;
    }

    /// <summary>The statements that decided <paramref name="decision"/>: matching Denies, or matching identity and resource Allows.</summary>
    public IReadOnlyList<CompiledStatement> Determining(Decision decision) => decision switch
    {
        Decision.ExplicitDeny => Denies,
        Decision.Allow => Allows,
        _ => [],
    };

    /// <summary>With <see cref="Explain"/>: statements that matched but failed on a condition, with the failing condition.</summary>
    public IReadOnlyList<(CompiledStatement Statement, CompiledCondition Condition)> ConditionFailures => FailedConditions;

    /// <summary>Why a condition failed for the traced request: the key is missing, or the values compared.</summary>
    public FailedConditionStatement DescribeFailure(CompiledStatement statement, CompiledCondition condition)
    {
        var missing = !Context.TryGetValues(condition.Key, out var values);
        var policyValues = string.Join(", ", condition.PolicyValues.Select(v => $"`{v}`"));
        var reason = missing
            ? "key is missing from the request"
            : $"request values {string.Join(", ", values!.Select(v => $"`{v}`"))} do not satisfy `{condition.OperatorText}` with policy values {policyValues}";
        return new FailedConditionStatement(DeterminingStatement.From(statement), condition.OperatorText, condition.Key, reason, missing);
    }

    /// <summary>Builds the immutable result for a decision.</summary>
    public EvaluationResult ToResult(Decision decision)
    {
        var determining = decision switch
        {
            Decision.ExplicitDeny => Denies.Select(DeterminingStatement.From).ToImmutableArray(),
            Decision.Allow => Allows.Select(DeterminingStatement.From).ToImmutableArray(),
            _ => [],
        };
        return new EvaluationResult(
            decision,
            determining,
            [.. FailedConditions.Select(f => DescribeFailure(f.Statement, f.Condition))],
            [.. Errors.Select(e => new EvaluationError(DeterminingStatement.From(e.Statement), e.Condition.OperatorText, e.Condition.Key,
                $"a request value of `{e.Condition.Key}` cannot be read as the type `{e.Condition.OperatorText}` compares; the statement was treated fail-closed ({(e.Statement.Effect == Effect.Deny ? "the Deny applies" : "the Allow does not")})"))])
        {
            Reason = Reason,
        };
    }
}
