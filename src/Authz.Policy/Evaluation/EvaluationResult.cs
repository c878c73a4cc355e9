using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>The three outcomes, kept distinct all the way to the API.</summary>
public enum Decision
{
    /// <summary>No applicable deny, and the allows and gates line up.</summary>
    Allow,
    /// <summary>An applicable Deny statement in some policy.</summary>
    ExplicitDeny,
    /// <summary>Nothing allows (or a gate did not allow): the default.</summary>
    ImplicitDeny,
}

/// <summary>A statement that decided the outcome.</summary>
public sealed record DeterminingStatement(string PolicyId, string? VersionId, PolicyType PolicyType, int StatementIndex, string? Sid, Effect Effect)
{
    internal static DeterminingStatement From(CompiledStatement s) =>
        new(s.Policy.Id, s.Policy.VersionId, s.Policy.Type, s.Index, s.Sid, s.Effect);
}

/// <summary>A statement that matched action, resource and principal but failed on a condition.</summary>
/// <param name="Statement">The statement.</param>
/// <param name="Operator">The failing operator as written.</param>
/// <param name="Key">The failing condition key as written.</param>
/// <param name="Reason">Why: the key is missing, or the request values and policy values that were compared.</param>
/// <param name="KeyMissing">True when the key was absent from the request.</param>
public sealed record FailedConditionStatement(DeterminingStatement Statement, string Operator, string Key, string Reason, bool KeyMissing);

/// <summary>A statement whose condition could not be evaluated; it was treated fail-closed.</summary>
public sealed record EvaluationError(DeterminingStatement Statement, string Operator, string Key, string Message);

/// <summary>The decision with its explanation.</summary>
public sealed record EvaluationResult(
    Decision Decision,
    ImmutableArray<DeterminingStatement> Determining,
    ImmutableArray<FailedConditionStatement> FailedConditions,
    ImmutableArray<EvaluationError> Errors)
{
    /// <summary>Why an implicit deny happened when no statement says so (unknown principal, a gate, ...).</summary>
    public string? Reason { get; init; }
}
