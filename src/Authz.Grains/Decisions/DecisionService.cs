using System.Collections.Concurrent;
using System.Globalization;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Microsoft.Extensions.Options;
using RequestContext = Authz.Policy.Evaluation.RequestContext;

namespace Authz.Grains.Decisions;

/// <summary>A check as the gRPC layer hands it over, already shape-checked.</summary>
public readonly record struct CheckInput(
    string? TenantId,
    string Principal,
    string Action,
    string Resource,
    KeyValuePair<string, string[]>[]? Context,
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
    /// <summary>The check's resource in its tenant, loaded for every check (also one not evaluated: it says whether the tenant exists).</summary>
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
public sealed class DecisionService(DecisionCache cache, IOptions<DecisionOptions> options)
{
    /// <summary>Traces of the check path; starting an activity costs a null check when nobody listens.</summary>
    public static readonly System.Diagnostics.ActivitySource ActivitySource = new("Authz.Decisions", "1.0");

    private static readonly string[] ServiceType = ["Service"];
    private static readonly string[] AnonymousType = ["Anonymous"];

    private static readonly string[] ServerKeyPrefixes = ["aws:PrincipalTag/", "aws:ResourceTag/"];

    private static readonly HashSet<string> ServerKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:username", "aws:userid", "aws:PrincipalType",
        "aws:ResourceAccount", "aws:CurrentTime", "aws:EpochTime",
    };

    // Replaced whole, never changed: a reader sees one second's texts together (a struct of three fields could be read
    // torn, half of one second and half of the next).
    private static volatile ClockTexts? s_clock;

    // Each principal text is parsed once and bound to the cached principal it evaluates as, so that a check of a text
    // seen before costs one lookup. Counted apart: ConcurrentDictionary.Count takes every lock, and unique session names
    // can make a miss of every check.
    private readonly ConcurrentDictionary<string, PrincipalBinding> _bindings = new(StringComparer.Ordinal);
    private readonly int _maxBindings = options.Value.MaxPrincipals;
    private int _bindingCount;

    /// <summary>Loads what a check needs; throws <see cref="CheckInputException"/> for malformed input.</summary>
    public async ValueTask<PreparedCheck> PrepareAsync(CheckInput input, CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity("authz.check");
        activity?.SetTag("authz.principal", input.Principal);
        activity?.SetTag("authz.action", input.Action);
        activity?.SetTag("authz.resource", input.Resource);
        var binding = Bind(input.Principal);
        var principal = binding.Parsed;
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
                var ownMin = principal.Account == tenantId ? input.MinRevision : 0;
                if (binding.Entry is { } bound && cache.TryReuse(bound, ownMin))
                {
                    cachedPrincipal = bound;
                }
                else
                {
                    var kind = principal.Kind == PrincipalKind.User ? EntityKind.User : EntityKind.Role;
                    var name = principal.Kind == PrincipalKind.RoleSession ? principal.RoleName! : principal.Name!;
                    cachedPrincipal = await cache.GetPrincipalAsync(new PrincipalKey(principal.Account!, kind, name), ownMin, cancellationToken);
                    // A session is its role's; a user or role is known only under its exact ARN (path and name's case).
                    binding = new PrincipalBinding(principal, cachedPrincipal, cachedPrincipal.Snapshot.Exists
                        && (principal.Kind == PrincipalKind.RoleSession || cachedPrincipal.Snapshot.Arn == principal.Text));
                    Remember(input.Principal, binding);
                }

                reason = binding.Known ? null : $"unknown principal `{input.Principal}`";
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
            return new PreparedCheck { Resource = resource, TenantId = tenantId, Revision = revision, Reason = reason };
        }

        var request = new AuthorizationRequest
        {
            Principal = principal,
            Action = input.Action,
            Resource = input.Resource,
            ResourceAccount = resource.ResourceAccount,
            Context = BuildContext(input.Context, principal, cachedPrincipal, resource),
        };
        return new PreparedCheck { Request = request, Principal = cachedPrincipal, Resource = resource, TenantId = tenantId, Revision = revision };
    }

    /// <summary>The binding of <paramref name="text"/>: parsed once; malformed text is not kept.</summary>
    private PrincipalBinding Bind(string text)
    {
        if (_bindings.TryGetValue(text, out var binding))
        {
            return binding;
        }

        if (!Principal.TryParse(text, out var principal, out var error))
        {
            throw new CheckInputException("principal", error);
        }

        binding = new PrincipalBinding(principal, Entry: null, Known: false);
        Remember(text, binding);
        return binding;
    }

    private void Remember(string text, PrincipalBinding binding)
    {
        if (_bindings.TryGetValue(text, out var old))
        {
            _bindings.TryUpdate(text, binding, old);
        }
        else if (_bindings.TryAdd(text, binding) && Interlocked.Increment(ref _bindingCount) > _maxBindings)
        {
            // A racing add may be counted and then cleared, but is never kept uncounted: the map stays near the bound.
            Interlocked.Exchange(ref _bindingCount, 0);
            _bindings.Clear();
        }
    }

    /// <summary>
    /// A principal text as checks name it: parsed, and bound to the cached principal it evaluates as (none until a check
    /// loads it), with whether that principal is known under this text. Immutable; replaced whole when the entry is.
    /// </summary>
    private sealed record PrincipalBinding(Principal Parsed, CachedPrincipal? Entry, bool Known);

    /// <summary>
    /// The check's context: the keys of this check alone, over the resource's and the principal's (built once per cached
    /// entry). The caller's keys are added without its server keys, so a caller cannot set a server key, not even one
    /// that a principal or resource leaves out (a role's <c>aws:username</c>, a tag it lacks).
    /// </summary>
    private static RequestContext BuildContext(KeyValuePair<string, string[]>[]? callerContext, Principal principal,
        CachedPrincipal? cachedPrincipal, CachedResource resource)
    {
        var clock = Clock();
        KeyValuePair<string, string[]>[] own = cachedPrincipal is null
            ? [new("aws:PrincipalType", principal.Kind == PrincipalKind.Anonymous ? AnonymousType : ServiceType), .. clock]
            : principal.Kind == PrincipalKind.RoleSession
                // A session's aws:userid is "role-id:session-name" (AWS's principal key table); the role's own is below.
                ? [new("aws:userid", [cachedPrincipal.Snapshot.Id + ":" + principal.Name]), .. clock]
                : clock;
        var principalContext = cachedPrincipal?.Context ?? RequestContext.Empty;
        var caller = WithoutServerKeys(callerContext);
        return caller switch
        {
            null => RequestContext.Layered(own, resource.Context, principalContext),
            // Every other layer holds only server keys, so the caller's few keys can share the check's own pairs.
            { Length: <= RequestContext.MaxScannedPairs } => RequestContext.Layered([.. caller, .. own], resource.Context, principalContext),
            _ => RequestContext.Layered(own, resource.Context, principalContext, RequestContext.Create(caller)),
        };
    }

    /// <summary>The caller's pairs without server keys: the same array when it holds none, null when nothing is left.</summary>
    private static KeyValuePair<string, string[]>[]? WithoutServerKeys(KeyValuePair<string, string[]>[]? pairs)
    {
        if (pairs is null || Array.TrueForAll(pairs, pair => !IsServerKey(pair.Key)))
        {
            return pairs is { Length: > 0 } ? pairs : null;
        }

        var kept = Array.FindAll(pairs, pair => !IsServerKey(pair.Key));
        return kept.Length > 0 ? kept : null;
    }

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

    /// <summary>aws:CurrentTime and aws:EpochTime, formatted once per second; shared, never to be changed.</summary>
    private static KeyValuePair<string, string[]>[] Clock()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        var clock = s_clock;
        if (clock is null || clock.Second != second)
        {
            // Racing threads may each format the same second; whichever object is kept is complete.
            clock = new ClockTexts(second,
            [
                new("aws:CurrentTime", [now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)]),
                new("aws:EpochTime", [second.ToString(CultureInfo.InvariantCulture)]),
            ]);
            s_clock = clock;
        }

        return clock.Pairs;
    }

    private sealed record ClockTexts(long Second, KeyValuePair<string, string[]>[] Pairs);
}
