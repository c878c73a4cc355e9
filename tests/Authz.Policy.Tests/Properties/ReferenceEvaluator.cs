using System.Collections.Immutable;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;

namespace Authz.Policy.Tests.Properties;

/// <summary>
/// The reference's answer, why, and the determining statements as <c>policy#index</c> (policies named as the
/// simulator names them: <c>identity[0]</c>, <c>resource</c>, <c>boundary[0]</c>, <c>scp[0][1]</c>, <c>rcp[0][0]</c>,
/// <c>session</c>): for ExplicitDeny every applicable Deny, for Allow every applicable Allow in the identity and resource
/// policies, for ImplicitDeny none.
/// </summary>
public sealed record ReferenceVerdict(Decision Decision, string Why, ImmutableArray<string> Determining)
{
    public override string ToString() => $"{Decision} ({Why})";
}

/// <summary>
/// A plain evaluator of AWS's policy evaluation logic over the parsed <see cref="PolicyDocument"/> model, written
/// from the IAM User Guide ("Policy evaluation logic", "Cross-account policy evaluation logic", "Permissions
/// boundaries", "Session policies", the element references) and the project's recorded decisions. It uses nothing
/// of the engine beyond the parsed model and the <see cref="Decision"/> enum: no compiled types, no action index,
/// no automaton; every statement of every policy is checked, one after another.
/// </summary>
public static class ReferenceEvaluator
{
    /// <summary>What a group of policies (all identity policies, the boundaries, one SCP level, ...) says about the request.</summary>
    private sealed class Findings
    {
        public List<string> Denies { get; } = [];
        public List<string> Allows { get; } = [];
        /// <summary>Allows from resource policy statements whose Principal names the caller's own user or session ARN.</summary>
        public List<string> AllowsNamingCaller { get; } = [];
        public bool Deny => Denies.Count > 0;
        public bool Allow => Allows.Count > 0;
    }

    /// <summary>Decides a case.</summary>
    public static ReferenceVerdict Decide(SimulationCase c)
    {
        var caller = Caller.Parse(c.Principal);
        var context = new ReferenceContext(c.Context);

        var identity = Scan(c.IdentityPolicies.Select((d, i) => ($"identity[{i}]", d)), c, caller, context);
        var resource = Scan(c.ResourcePolicy is null ? [] : [("resource", c.ResourcePolicy)], c, caller, context);
        var boundaries = Scan((c.PermissionBoundaries ?? []).Select((d, i) => ($"boundary[{i}]", d)), c, caller, context);
        var session = Scan(c.SessionPolicy is null ? [] : [("session", c.SessionPolicy)], c, caller, context);
        // SCPs restrict the principals of the organization's accounts: callers without an account (services,
        // anonymous) are outside any organization.
        var scpLevels = caller.Account is null || c.Scps is null
            ? []
            : c.Scps.Value.Select((level, i) => Scan(level.Select((d, j) => ($"scp[{i}][{j}]", d)), c, caller, context)).ToList();
        var rcpLevels = c.Rcps is null
            ? []
            : c.Rcps.Value.Select((level, i) => Scan(level.Select((d, j) => ($"rcp[{i}][{j}]", d)), c, caller, context)).ToList();
        ImmutableArray<string> allows = [.. identity.Allows, .. resource.Allows];

        // 1. An explicit deny in any policy overrides every allow: identity, resource, boundary, session, SCP and RCP
        //    statements alike.
        var denies = identity.Denies.Concat(resource.Denies).Concat(boundaries.Denies).Concat(session.Denies)
            .Concat(scpLevels.SelectMany(l => l.Denies)).Concat(rcpLevels.SelectMany(l => l.Denies)).ToList();
        if (denies.Count > 0)
            return new(Decision.ExplicitDeny, "deny: " + string.Join(", ", denies), [.. denies]);

        // 2. RCPs: RCPFullAWSAccess is attached at every level and cannot be detached, so only their denies count.

        // 3. SCPs: every level from the root down to the account must allow the action; they grant nothing.
        for (var i = 0; i < scpLevels.Count; i++)
            if (!scpLevels[i].Allow)
                return new(Decision.ImplicitDeny, $"scp level {i} allows nothing that matches", []);

        // Services and anonymous callers have no identity policies: only the resource policy can grant.
        if (caller.Kind is CallerKind.Service or CallerKind.Anonymous)
            return resource.Allow
                ? new(Decision.Allow, "resource allow: " + string.Join(", ", resource.Allows), allows)
                : new(Decision.ImplicitDeny, "no resource policy allow for a caller without identity policies", []);

        // The account root has every permission in its own account (nothing can be attached to it).
        var identityAllows = identity.Allow || caller.Kind == CallerKind.AccountRoot;
        // A permissions boundary sets the maximum permissions: with one, its Allow is needed as well.
        var boundaryAllows = c.PermissionBoundaries is not { Length: > 0 } || boundaries.Allow;
        // A session's permissions are the intersection of the identity-based policies and the session policy. A
        // federated user session created without a session policy has no permissions.
        var sessionAllows = c.SessionPolicy is not null ? session.Allow : caller.Kind != CallerKind.FederatedUser;

        if (caller.IsSameAccount(c))
        {
            // 4a. Within an account, an implicit deny in a permissions boundary or a session policy does not limit what a
            //     resource-based policy grants by naming the IAM user's ARN or the session's own ARN.
            if (resource.AllowsNamingCaller.Count > 0)
                return new(Decision.Allow, "resource allow naming the caller: " + string.Join(", ", resource.AllowsNamingCaller), allows);
            // 4b. A resource policy grant through the role ARN, the account or "*" is added to the principal's
            //     permissions, which the boundary and the session policy limit.
            if (resource.Allow && boundaryAllows && sessionAllows)
                return new(Decision.Allow, "resource allow: " + string.Join(", ", resource.Allows), allows);
            // 5. An action allowed by an identity-based policy is allowed, within the boundary and the session policy
            //    (identity and resource grants are a union within one account).
            if (identityAllows && boundaryAllows && sessionAllows)
                return new(Decision.Allow, "identity allow: " + (identity.Allow ? string.Join(", ", identity.Allows) : "account root"), allows);
            return new(Decision.ImplicitDeny, Gaps(identityAllows || resource.Allow, boundaryAllows, sessionAllows), []);
        }

        // 6. Across accounts, the caller's side (identity policy, boundary, session policy) and the resource policy
        //    must both allow.
        if (identityAllows && boundaryAllows && sessionAllows && resource.Allow)
            return new(Decision.Allow, "cross-account: identity and resource allow", allows);
        return new(Decision.ImplicitDeny, "cross-account: " + Gaps(identityAllows && resource.Allow, boundaryAllows, sessionAllows), []);
    }

    private static string Gaps(bool granted, bool boundary, bool session) =>
        !granted ? "nothing grants" : !boundary ? "the boundary does not allow" : !session ? "the session policy does not allow" : "not allowed";

    private static Findings Scan(IEnumerable<(string Id, PolicyDocument Doc)> policies, SimulationCase c, Caller caller, ReferenceContext context)
    {
        var findings = new Findings();
        foreach (var (id, doc) in policies)
        {
            var variables = doc.Version == "2012-10-17";
            foreach (var s in doc.Statements)
            {
                var name = $"{id}#{s.Index}";
                if (!ActionMatches(s.Action, c.Action))
                    continue;
                if (s.Resource is { } resource && !ResourceMatches(resource, c.Resource, variables, context))
                    continue;
                var namesCaller = false;
                // docs/semantics.md, from the Guide's permissions boundaries page: a Deny with NotPrincipal "will always
                // deny an IAM principal that has a permissions boundary policy attached", whatever it lists.
                var boundaryOverride = s.Principal is { Negated: true } && s.Effect == Effect.Deny && c.PermissionBoundaries is { Length: > 0 };
                if (s.Principal is { } principal && !PrincipalCovers(principal, caller, out namesCaller) && !boundaryOverride)
                    continue;
                var conditions = ReferenceConditions.Evaluate(s.Conditions, variables, context);
                // Fail closed: a condition that cannot be evaluated stops an Allow from applying, and lets a Deny apply.
                if (conditions == Truth.False || (conditions == Truth.Error && s.Effect == Effect.Allow))
                    continue;
                if (s.Effect == Effect.Deny)
                {
                    findings.Denies.Add(name);
                }
                else
                {
                    findings.Allows.Add(name);
                    if (namesCaller)
                        findings.AllowsNamingCaller.Add(name);
                }
            }
        }
        return findings;
    }

    private static bool ActionMatches(ValueList action, string requestAction)
    {
        var listed = action.Values.Any(v => ReferenceMatching.Matches(v.Value, requestAction, MatchMode.Action, false, Empty));
        return listed != action.Negated;
    }

    private static bool ResourceMatches(ValueList resource, string requestResource, bool variables, ReferenceContext context)
    {
        var listed = resource.Values.Any(v => ReferenceMatching.Matches(v.Value, requestResource, MatchMode.Arn, variables, context));
        return listed != resource.Negated;
    }

    private static readonly ReferenceContext Empty = new([]);

    /// <summary>
    /// Whether a Principal/NotPrincipal element covers the caller. <paramref name="namesCaller"/> is set when a
    /// Principal element lists the caller's own IAM user, role session or federated user ARN.
    /// </summary>
    private static bool PrincipalCovers(PrincipalElement element, Caller caller, out bool namesCaller)
    {
        namesCaller = false;
        var listed = element.IsWildcard;
        foreach (var entry in element.Entries)
        {
            foreach (var located in entry.Values)
            {
                var value = located.Value;
                if (entry.Type == "AWS")
                {
                    if (value == "*")
                        listed = true;
                    else if (caller.Account is not null && (value == caller.Account || value == $"arn:aws:iam::{caller.Account}:root"))
                        listed = true; // the account, and so every principal in it
                    else if (caller.Arn is not null && value == caller.Arn)
                    {
                        listed = true;
                        namesCaller |= caller.Kind is CallerKind.User or CallerKind.RoleSession or CallerKind.FederatedUser;
                    }
                    else if (caller.Kind == CallerKind.RoleSession && IsRoleArnOf(value, caller))
                        listed = true; // a role ARN covers the role's sessions
                }
                else if (entry.Type == "Service" && caller.Kind == CallerKind.Service && string.Equals(value, caller.ServiceName, StringComparison.OrdinalIgnoreCase))
                {
                    listed = true;
                }
            }
        }
        if (element.Negated)
        {
            // NotPrincipal: the statement applies to everyone the list does not cover.
            namesCaller = false;
            return !listed;
        }
        return listed;
    }

    /// <summary>Whether <paramref name="value"/> is the ARN of the role the session belongs to (any path).</summary>
    private static bool IsRoleArnOf(string value, Caller session)
    {
        var prefix = $"arn:aws:iam::{session.Account}:role/";
        if (!value.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var pathAndName = value[prefix.Length..];
        return pathAndName.Split('/')[^1] == session.RoleName;
    }

    public enum CallerKind { User, Role, RoleSession, FederatedUser, AccountRoot, Service, Anonymous }

    /// <summary>The caller, parsed from the case's <c>principal</c> by the reference's own reading of IAM and STS ARNs.</summary>
    public sealed record Caller(CallerKind Kind, string? Arn, string? Account, string? RoleName, string? ServiceName)
    {
        public static Caller Parse(string text)
        {
            if (text is "anonymous" or "*")
                return new(CallerKind.Anonymous, null, null, null, null);
            if (!text.StartsWith("arn:", StringComparison.Ordinal))
                return new(CallerKind.Service, null, null, null, text);
            var parts = text.Split(':', 6);
            var (service, account, resource) = (parts[2], parts[4], parts[5]);
            if (service == "iam" && resource == "root")
                return new(CallerKind.AccountRoot, text, account, null, null);
            if (service == "iam" && resource.StartsWith("user/", StringComparison.Ordinal))
                return new(CallerKind.User, text, account, null, null);
            if (service == "iam" && resource.StartsWith("role/", StringComparison.Ordinal))
                return new(CallerKind.Role, text, account, resource.Split('/')[^1], null);
            if (service == "sts" && resource.StartsWith("assumed-role/", StringComparison.Ordinal))
                return new(CallerKind.RoleSession, text, account, resource.Split('/')[1], null);
            if (service == "sts" && resource.StartsWith("federated-user/", StringComparison.Ordinal))
                return new(CallerKind.FederatedUser, text, account, null, null);
            throw new InvalidOperationException($"the reference cannot read principal `{text}`");
        }

        /// <summary>
        /// Whether the resource belongs to the caller's account: the case's resourceAccount, else the ARN's account
        /// field, else (S3 and <c>*</c> carry none) the caller's own account.
        /// </summary>
        public bool IsSameAccount(SimulationCase c)
        {
            var owner = c.ResourceAccount;
            if (owner is null)
            {
                var parts = c.Resource.Split(':');
                owner = parts.Length >= 6 && parts[4].Length > 0 ? parts[4] : Account;
            }
            return owner == Account;
        }
    }
}
