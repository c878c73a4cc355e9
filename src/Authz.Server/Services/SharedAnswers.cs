using System.Runtime.CompilerServices;
using Authz.Policy.Compilation;
using Authz.V1;

namespace Authz.Server.Services;

/// <summary>
/// The <c>Authorize</c> answers that checks share: an ALLOW or EXPLICIT_DENY decided by one statement, at one revision,
/// without an explanation. Every check that gets such an answer gets the same message, so the service returns one
/// completed task per statement instead of building a response, its list and its reference for each check.
/// </summary>
/// <remarks>
/// Each statement keeps its last answer only, weakly (a statement no longer cached by any silo entry takes its answer
/// with it), so a write that changes the tenant's revision replaces it at the next check. A shared response is never
/// changed once built: nothing after <see cref="AuthorizationService"/> writes to a response.
/// </remarks>
internal sealed class SharedAnswers(Func<CompiledStatement, ReferenceTarget, StatementReference> reference)
{
    private readonly ConditionalWeakTable<CompiledStatement, Slot> _byStatement = [];

    /// <summary>
    /// The answer for a decision by <paramref name="statement"/> alone, built once per revision and target (the rest of
    /// a statement's reference is the statement's own).
    /// </summary>
    public Task<AuthorizeResponse> Get(CompiledStatement statement, Decision decision, ulong revision, ReferenceTarget target)
    {
        // GetValue looks the statement up without locking; only a statement seen for the first time takes the table's lock.
        var slot = _byStatement.GetValue(statement, static _ => new Slot());
        var last = slot.Last;
        if (last is not null && last.Revision == revision && last.Decision == decision && last.Target == target)
        {
            return last.Completed;
        }

        var answer = new Answer(decision, revision, target,
            Task.FromResult(new AuthorizeResponse { Decision = decision, Revision = revision, Determining = { reference(statement, target) } }));
        slot.Last = answer;
        return answer.Completed;
    }

    private sealed class Slot
    {
        public volatile Answer? Last;
    }

    private sealed record Answer(Decision Decision, ulong Revision, ReferenceTarget Target, Task<AuthorizeResponse> Completed);
}

/// <summary>What a statement reference names besides its statement: the policy (ARN or name) and what it is attached to.</summary>
internal readonly record struct ReferenceTarget(string Policy, string AttachedTo);
