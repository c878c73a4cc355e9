using System.Globalization;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using RequestContext = Authz.Policy.Evaluation.RequestContext;

namespace Authz.Grains.Decisions;

/// <summary>A check as the gRPC layer hands it over, already shape-checked.</summary>
public readonly record struct CheckInput(
    string? TenantId,
    string Principal,
    string Action,
    string Resource,
    IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? Context,
    ulong MinRevision);

/// <summary>Invalid input to a check; <see cref="Field"/> names the request field.</summary>
public sealed class CheckInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// A check with everything loaded: evaluating it is synchronous and touches only immutable snapshots, so it can run on
/// any thread, in parallel with every other check of the same principal.
/// </summary>
public sealed class PreparedCheck
{
    /// <summary>The engine request (principal, action, resource, merged context); null when the check cannot be evaluated.</summary>
    public AuthorizationRequest? Request { get; init; }
    public CachedPrincipal? Principal { get; init; }
    public CachedResource? Resource { get; init; }
    /// <summary>The tenant whose revision the answer reports.</summary>
    public required string TenantId { get; init; }
    /// <summary>The revision of <see cref="TenantId"/> the decision is evaluated at: everything it used is at least that fresh.</summary>
    public ulong Revision { get; init; }
    /// <summary>Why the check is an implicit deny without evaluation (unknown principal or tenant).</summary>
    public string? Reason { get; init; }

    /// <summary>Evaluates; an unevaluable check is an implicit deny. <paramref name="trace"/> collects the explanation.</summary>
    public Decision Evaluate(EvaluationTrace? trace)
    {
        if (Request is null)
        {
            return Decision.ImplicitDeny;
        }

        return PolicyEvaluator.Evaluate(Request, Principal?.Policies, Resource?.Policies, session: null, trace);
    }
}

/// <summary>
/// Resolves a check's principal and resource through the silo-local <see cref="DecisionCache"/> and builds the request
/// context, filling the keys the server knows. Callers cannot override those keys.
/// </summary>
public sealed class DecisionService(DecisionCache cache)
{
    /// <summary>Traces of the check path; starting an activity costs a null check when nobody listens.</summary>
    public static readonly System.Diagnostics.ActivitySource ActivitySource = new("Authz.Decisions", "1.0");

    private static readonly string[] ServerKeyPrefixes = ["aws:PrincipalTag/", "aws:ResourceTag/"];

    private static readonly HashSet<string> ServerKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:username", "aws:userid", "aws:PrincipalType",
        "aws:ResourceAccount", "aws:CurrentTime", "aws:EpochTime",
    };

    // Replaced whole, never changed: a reader sees one second's texts together (a struct of three fields could be read
    // torn, half of one second and half of the next).
    private static volatile ClockTexts? s_clock;

    /// <summary>Loads what a check needs; throws <see cref="CheckInputException"/> for malformed input.</summary>
    public async ValueTask<PreparedCheck> PrepareAsync(CheckInput input, CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity("authz.check");
        activity?.SetTag("authz.principal", input.Principal);
        activity?.SetTag("authz.action", input.Action);
        activity?.SetTag("authz.resource", input.Resource);
        if (!Authz.Policy.Evaluation.Principal.TryParse(input.Principal, out var principal, out var principalError))
        {
            throw new CheckInputException("principal", principalError);
        }

        if (input.TenantId is { Length: > 0 } t && !Arn.IsAccountId(t))
        {
            throw new CheckInputException("tenant_id", $"invalid tenant id `{t}`: expected 12 digits");
        }

        var tenantId = input.TenantId is { Length: > 0 } ? input.TenantId : principal.Account;
        if (tenantId is null)
        {
            throw new CheckInputException("tenant_id", "a service or anonymous principal needs `tenant_id`");
        }

        // Shape checks of action and resource, with the engine's messages.
        if (!AuthorizationRequest.TryCheckShape(input.Action, input.Resource, out var shapeError))
        {
            throw new CheckInputException(shapeError.Contains("action", StringComparison.Ordinal) ? "action" : "resource", shapeError);
        }

        CachedPrincipal? cachedPrincipal = null;
        string? reason = null;
        switch (principal.Kind)
        {
            case PrincipalKind.User or PrincipalKind.Role or PrincipalKind.RoleSession:
            {
                var kind = principal.Kind == PrincipalKind.User ? EntityKind.User : EntityKind.Role;
                var name = principal.Kind == PrincipalKind.RoleSession ? principal.RoleName! : principal.Name!;
                var ownMin = principal.Account == tenantId ? input.MinRevision : 0;
                cachedPrincipal = await cache.GetPrincipalAsync(new PrincipalKey(principal.Account!, kind, name), ownMin, cancellationToken);
                var known = cachedPrincipal.Snapshot.Exists
                    && (principal.Kind == PrincipalKind.RoleSession || cachedPrincipal.Snapshot.Arn == principal.Text);
                reason = known ? null : $"unknown principal `{input.Principal}`";
                break;
            }
            case PrincipalKind.Service or PrincipalKind.Anonymous:
                break;
            default:
                reason = $"principal `{input.Principal}` cannot make requests to Authz-governed resources";
                break;
        }

        // Loaded for every check, `*` included: it says whether the check's tenant exists and at which revision of that
        // tenant the answer is, also when the principal belongs to another tenant or is unknown.
        var resource = await cache.GetResourceAsync(input.Resource, tenantId, input.MinRevision, cancellationToken);
        reason ??= resource.TenantExists ? null : $"unknown tenant `{tenantId}`";
        var revision = cachedPrincipal is not null && cachedPrincipal.TenantId == tenantId
            ? Math.Min(cachedPrincipal.Revision, resource.TenantRevision)
            : resource.TenantRevision;
        if (reason is not null)
        {
            return new PreparedCheck { TenantId = tenantId, Revision = revision, Reason = reason };
        }

        // The owner of a registered resource; else the ARN's own account field; else the check's tenant. An unregistered
        // ARN of another tenant therefore stays cross-tenant and needs that tenant's resource policy.
        var resourceAccount = resource.OwnerTenantId ?? ArnAccount(input.Resource) ?? tenantId;
        var context = BuildContext(input.Context, principal, cachedPrincipal, resource, resourceAccount);
        var request = new AuthorizationRequest
        {
            Principal = principal,
            Action = input.Action,
            Resource = input.Resource,
            ResourceAccount = resourceAccount,
            Context = context,
        };
        return new PreparedCheck { Request = request, Principal = cachedPrincipal, Resource = resource, TenantId = tenantId, Revision = revision };
    }

    private static RequestContext BuildContext(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? callerContext, Principal principal,
        CachedPrincipal? cachedPrincipal, CachedResource resource, string resourceAccount)
    {
        var pairs = new List<KeyValuePair<string, string[]>>(16);
        if (callerContext is not null)
        {
            foreach (var (key, values) in callerContext)
            {
                if (!IsServerKey(key))
                {
                    pairs.Add(new(key, [.. values]));
                }
            }
        }

        if (cachedPrincipal is not null)
        {
            pairs.AddRange(cachedPrincipal.ContextPairs);
            if (principal.Kind == PrincipalKind.RoleSession)
            {
                // A session's aws:userid is "role-id:session-name" (AWS's principal key table).
                pairs.Add(new("aws:userid", [cachedPrincipal.Snapshot.Id + ":" + principal.Name]));
            }
        }
        else
        {
            pairs.Add(new("aws:PrincipalType", [principal.Kind == PrincipalKind.Anonymous ? "Anonymous" : "Service"]));
        }

        pairs.AddRange(resource.ContextPairs);
        pairs.Add(new("aws:ResourceAccount", [resourceAccount]));
        var (iso, epoch) = Clock();
        pairs.Add(new("aws:CurrentTime", iso));
        pairs.Add(new("aws:EpochTime", epoch));
        return RequestContext.Create(pairs);
    }

    private static string? ArnAccount(string resource) =>
        Arn.TryParse(resource, out var arn) && Arn.IsAccountId(arn.Value.Account) ? arn.Value.Account : null;

    private static bool IsServerKey(string key)
    {
        if (ServerKeys.Contains(key))
        {
            return true;
        }

        foreach (var prefix in ServerKeyPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>aws:CurrentTime and aws:EpochTime, formatted once per second.</summary>
    private static (string[] Iso, string[] Epoch) Clock()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        var clock = s_clock;
        if (clock is null || clock.Second != second)
        {
            // Racing threads may each format the same second; whichever object is kept is complete.
            clock = new ClockTexts(second, [now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)], [second.ToString(CultureInfo.InvariantCulture)]);
            s_clock = clock;
        }

        return (clock.Iso, clock.Epoch);
    }

    private sealed record ClockTexts(long Second, string[] Iso, string[] Epoch);
}
