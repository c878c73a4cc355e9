using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>
/// AWS's policy evaluation logic over compiled snapshots. The hot path allocates nothing when no trace is asked for
/// (or a reused trace is passed), and it fails closed: an evaluation error never produces an Allow.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>What one pass over a group of policies found.</summary>
    private struct Found
    {
        public bool Deny;
        public bool Allow;
        public bool AllowDirect;
    }

    /// <summary>Evaluates and returns the full result, with the explanation when <paramref name="explain"/> is set.</summary>
    public static EvaluationResult EvaluateWithResult(AuthorizationRequest request, PrincipalPolicySet? principal,
        ResourcePolicySet? resource, CompiledPolicy? session = null, bool explain = false)
    {
        var trace = new EvaluationTrace { Explain = explain };
        var decision = Evaluate(request, principal, resource, session, trace);
        return trace.ToResult(decision);
    }

    /// <summary>
    /// Decides a request. <paramref name="principal"/> holds the caller's identity policies, boundary and guardrails
    /// (null for callers that have none, like services and anonymous callers); <paramref name="resource"/> holds the
    /// resource policy and resource guardrails; <paramref name="session"/> is the session policy, if any.
    /// </summary>
    public static Decision Evaluate(AuthorizationRequest request, PrincipalPolicySet? principal, ResourcePolicySet? resource,
        CompiledPolicy? session = null, EvaluationTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (session is not null && session.Type != PolicyType.Session)
            throw new ArgumentException($"policy `{session.Id}` is a {session.Type} policy where a session policy is expected", nameof(session));
        principal ??= PrincipalPolicySet.Empty;
        resource ??= ResourcePolicySet.Empty;
        var caller = request.Principal;
        // Without a trace, the first applicable Deny decides and scanning can stop.
        var stopOnDeny = trace is null;
        var hasBoundary = !principal.Boundaries.IsEmpty;
        if (trace is not null)
            trace.Context = request.Context;

        // Identity policies (recorded as determining when they allow).
        var identity = default(Found);
        if (Scan(principal.IdentityIndex, request, ref identity, trace, recordAllows: true, hasBoundary) && stopOnDeny)
            return Decision.ExplicitDeny;

        var resourceFound = default(Found);
        if (resource.Policy is { } rp && Scan(rp.Index, request, ref resourceFound, trace, recordAllows: true, hasBoundary) && stopOnDeny)
            return Decision.ExplicitDeny;

        var boundary = default(Found);
        if (Scan(principal.BoundaryIndex, request, ref boundary, trace, recordAllows: false, hasBoundary) && stopOnDeny)
            return Decision.ExplicitDeny;

        var sessionFound = default(Found);
        if (session is not null && Scan(session.Index, request, ref sessionFound, trace, recordAllows: false, hasBoundary) && stopOnDeny)
            return Decision.ExplicitDeny;

        // Guardrails over principals (SCP-like) apply to callers that belong to a tenant.
        var guardrailsAllow = true;
        var guardrailDeny = false;
        if (!principal.Guardrails.IsDefault && caller.Account is not null)
        {
            foreach (var level in principal.Guardrails)
            {
                var found = default(Found);
                foreach (var p in level)
                    if (Scan(p.Index, request, ref found, trace, recordAllows: false, hasBoundary) && stopOnDeny)
                        return Decision.ExplicitDeny;
                guardrailDeny |= found.Deny;
                guardrailsAllow &= found.Allow;
            }
        }

        // Guardrails over resources (RCP-like): a full-access allow is implied, so only denies count.
        var resourceGuardrailDeny = false;
        if (!resource.Guardrails.IsDefault)
        {
            foreach (var level in resource.Guardrails)
            {
                var found = default(Found);
                foreach (var p in level)
                    if (Scan(p.Index, request, ref found, trace, recordAllows: false, hasBoundary) && stopOnDeny)
                        return Decision.ExplicitDeny;
                resourceGuardrailDeny |= found.Deny;
            }
        }

        var decision = Combine(caller, request, principal, session, identity, resourceFound, boundary, sessionFound,
            guardrailDeny, guardrailsAllow, resourceGuardrailDeny, out var reason);
        if (trace is not null)
        {
            trace.Reason = reason;
            if (decision != Decision.Allow)
                trace.Allows.Clear();
        }
        return decision;
    }

    /// <summary>AWS's combining rule, one arm per case.</summary>
    private static Decision Combine(Principal caller, AuthorizationRequest request, PrincipalPolicySet principal,
        CompiledPolicy? session, Found identity, Found resource, Found boundary, Found sessionFound,
        bool guardrailDeny, bool guardrailsAllow, bool resourceGuardrailDeny, out string? reason)
    {
        reason = null;

        // 1. An applicable explicit Deny in any policy wins.
        if (identity.Deny || resource.Deny || boundary.Deny || sessionFound.Deny || guardrailDeny || resourceGuardrailDeny)
            return Decision.ExplicitDeny;

        // 2. Guardrails (SCP-like) must allow at every level; they never grant on their own.
        if (!guardrailsAllow)
        {
            reason = "a tenant guardrail level does not allow the action";
            return Decision.ImplicitDeny;
        }

        // Services and anonymous callers have no identity policies: only the resource policy can grant.
        if (caller.Kind is PrincipalKind.Service or PrincipalKind.Anonymous)
        {
            if (resource.Allow)
                return Decision.Allow;
            reason = "no resource policy statement allows this caller";
            return Decision.ImplicitDeny;
        }

        // The gates that limit identity grants: a permissions boundary (if any) and, for sessions, the session policy.
        // A federated user session without a session policy has no permissions of its own.
        var boundaryAllows = principal.Boundaries.IsEmpty || boundary.Allow;
        var sessionAllows = session is not null
            ? sessionFound.Allow
            : caller.Kind != PrincipalKind.FederatedUser;
        // The account root has full access to its own account's resources, unless a Deny or guardrail says otherwise.
        var identityAllows = identity.Allow || caller.Kind == PrincipalKind.AccountRoot;
        var identityPath = identityAllows && boundaryAllows && sessionAllows;

        var sameAccount = request.IsSameAccount;
        if (sameAccount)
        {
            // 3a. A resource policy naming the caller's own user or session ARN grants on its own.
            if (resource.AllowDirect)
                return Decision.Allow;
            // 3b. A resource policy grant through the role ARN, the account or `*` is limited by the boundary and the
            //     session policy, but not by the identity policies.
            if (resource.Allow && boundaryAllows && sessionAllows)
                return Decision.Allow;
            // 4. Identity policies, limited by the boundary and the session policy.
            if (identityPath)
                return Decision.Allow;
            reason = !identityAllows && !resource.Allow ? "no identity or resource policy statement allows the action"
                : !boundaryAllows ? "the permissions boundary does not allow the action"
                : "the session policy does not allow the action";
            return Decision.ImplicitDeny;
        }

        // 5. Across tenants, both the caller's side (identity, boundary, session) and the resource policy must allow.
        if (identityPath && resource.Allow)
            return Decision.Allow;
        reason = !resource.Allow ? "cross-tenant access needs a resource policy that allows the caller"
            : !identityAllows ? "cross-tenant access needs an identity policy that allows the action"
            : !boundaryAllows ? "the permissions boundary does not allow the action"
            : "the session policy does not allow the action";
        return Decision.ImplicitDeny;
    }

    /// <summary>
    /// Checks one policy's candidate statements. Returns true when an applicable Deny was found (so a caller without
    /// a trace can stop).
    /// </summary>
    private static bool Scan(ActionIndex index, AuthorizationRequest request, ref Found found, EvaluationTrace? trace, bool recordAllows, bool hasBoundary)
    {
        var before = found.Deny;
        foreach (var s in index.Exact(request.Action))
            if (Check(s, request, ref found, trace, recordAllows, hasBoundary, checkAction: false) && trace is null)
                return true;
        foreach (var s in index.SameService(request.Action))
            if (Check(s, request, ref found, trace, recordAllows, hasBoundary, checkAction: true) && trace is null)
                return true;
        foreach (var s in index.Always)
            if (Check(s, request, ref found, trace, recordAllows, hasBoundary, checkAction: true) && trace is null)
                return true;
        return found.Deny && !before;
    }

    /// <summary>Applies one statement; returns true when it is an applicable Deny.</summary>
    private static bool Check(CompiledStatement s, AuthorizationRequest request, ref Found found, EvaluationTrace? trace,
        bool recordAllows, bool hasBoundary, bool checkAction)
    {
        if (checkAction && !s.MatchesAction(request.Action))
            return false;
        if (!s.MatchesResource(request.Resource, request.Context))
            return false;
        var principalMatch = PrincipalMatch.Direct;
        if (s.Principal is not null)
        {
            principalMatch = s.Principal.Match(request.Principal);
            // AWS (permissions boundaries): a resource policy Deny with NotPrincipal "will always deny an IAM principal
            // that has a permissions boundary policy attached", whatever NotPrincipal lists.
            if (principalMatch == PrincipalMatch.None && s.Principal.Negated && s.Effect == Effect.Deny && hasBoundary)
                principalMatch = PrincipalMatch.Indirect;
            if (principalMatch == PrincipalMatch.None)
                return false;
        }

        CompiledCondition? errored = null;
        foreach (var c in s.Conditions)
        {
            var outcome = c.Evaluate(request.Context);
            if (outcome == ConditionOutcome.True)
                continue;
            if (outcome == ConditionOutcome.Error)
            {
                // Fail closed: an Allow that cannot be evaluated does not apply; a Deny that cannot be evaluated does,
                // unless another of its conditions is plainly false.
                if (s.Effect == Effect.Allow)
                {
                    trace?.Errors.Add((s, c));
                    return false;
                }
                errored ??= c;
                continue;
            }
            if (trace is { Explain: true })
                trace.FailedConditions.Add((s, c));
            return false;
        }
        if (errored is not null)
            trace?.Errors.Add((s, errored));

        if (s.Effect == Effect.Deny)
        {
            found.Deny = true;
            trace?.Denies.Add(s);
            return true;
        }
        found.Allow = true;
        if (principalMatch == PrincipalMatch.Direct && s.Principal is not null)
            found.AllowDirect = true;
        if (recordAllows)
            trace?.Allows.Add(s);
        return false;
    }
}
