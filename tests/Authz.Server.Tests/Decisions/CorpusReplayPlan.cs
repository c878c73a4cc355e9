using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// The engine corpus (<c>tests/corpus</c>, loaded strictly by the engine tests) read as JSON trees, so that a scenario
/// can be rewritten onto fresh tenants before it is seeded through the Admin API.
/// </summary>
internal static class CorpusFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every scenario, as paths relative to <see cref="Root"/> with forward slashes, sorted.</summary>
    public static IEnumerable<string> RelativePaths() =>
        Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Where(p => p != "schema.json")
            .Order(StringComparer.Ordinal);

    public static JsonObject Read(string relativePath) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Root, relativePath)))!.AsObject();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "corpus");
            if (File.Exists(Path.Combine(candidate, "schema.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/corpus (with schema.json) not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A scenario policy: its corpus id and its document as JSON text (already rewritten onto tenants).</summary>
internal sealed record PlannedPolicy(string Id, string Json);

/// <summary>A user or role created for a scenario's requests.</summary>
internal sealed record PlannedPrincipal(string TenantId, bool IsRole, string Path, string Name)
{
    public string Arn => $"arn:aws:iam::{TenantId}:{(IsRole ? "role" : "user")}{Path}{Name}";
}

/// <summary>One corpus request as it is replayed, or why it is not.</summary>
internal sealed record PlannedRequest
{
    public required int Index { get; init; }
    public required string Description { get; init; }
    public required string Principal { get; init; }
    public required string Action { get; init; }
    public required string Resource { get; init; }
    public required string Decision { get; init; }
    /// <summary>The corpus `determining` set as (policy id, statement index); null when the file gives none.</summary>
    public ImmutableArray<(string Policy, int Statement)>? Determining { get; init; }
    /// <summary>The context as the corpus gives it (the server ignores the keys it owns).</summary>
    public ImmutableArray<KeyValuePair<string, string[]>> Context { get; init; } = [];
    /// <summary>Why the request is not replayed; null when it is.</summary>
    public string? Skip { get; init; }
    /// <summary>The user or role the check evaluates as (null for a service principal).</summary>
    public PlannedPrincipal? As { get; init; }
    /// <summary>The tenant sent as <c>tenant_id</c>, or null to let it default to the principal's account.</summary>
    public string? TenantIdField { get; init; }
    /// <summary>The tenant whose revision <c>min_revision</c> carries.</summary>
    public string CheckTenant { get; init; } = "";
    /// <summary>The principal's tags for this request (<c>aws:PrincipalTag/*</c> of the context).</summary>
    public ImmutableArray<KeyValuePair<string, string>> PrincipalTags { get; init; } = [];
    /// <summary>The requested ARN's tags (<c>aws:ResourceTag/*</c>), registered to <see cref="ResourceTenant"/>.</summary>
    public ImmutableArray<KeyValuePair<string, string>> ResourceTags { get; init; } = [];
    public string ResourceTenant { get; init; } = "";
}

/// <summary>
/// How one corpus scenario is seeded through the Admin API, and which of its requests the service can answer as the
/// corpus does. Accounts are mapped to fresh tenants and S3 bucket names get a per-scenario prefix (S3 ARNs name no
/// account, and a bucket belongs to one tenant), everywhere in the scenario (policies, requests, context values, ARN
/// patterns), so its meaning does not change.
/// </summary>
internal sealed partial class ReplayPlan
{
    private static readonly string[] ServerKeys =
    [
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:username", "aws:userid", "aws:PrincipalType", "aws:ResourceAccount",
        "aws:CurrentTime", "aws:EpochTime",
    ];

    private const string PrincipalTagPrefix = "aws:PrincipalTag/";
    private const string ResourceTagPrefix = "aws:ResourceTag/";

    public required string File { get; init; }
    /// <summary>Corpus account id -> tenant id.</summary>
    public required ImmutableDictionary<string, string> Accounts { get; init; }
    /// <summary>Why the whole scenario is not replayed, or null.</summary>
    public string? Skip { get; private set; }
    public ImmutableArray<PlannedPolicy> Identity { get; private set; } = [];
    public PlannedPolicy? Boundary { get; private set; }
    public ImmutableArray<PlannedPolicy> Guardrails { get; private set; } = [];
    public PlannedPolicy? ResourcePolicy { get; private set; }
    /// <summary>ARNs that hold the resource policy, with their owner tenant.</summary>
    public ImmutableArray<KeyValuePair<string, string>> PolicyHolders { get; private set; } = [];
    /// <summary>ARNs registered without a policy so that the server knows the resource's owner, with that owner.</summary>
    public ImmutableArray<KeyValuePair<string, string>> OwnerRegistrations { get; private set; } = [];
    public ImmutableArray<PlannedPrincipal> Principals { get; private set; } = [];
    /// <summary>Tenants to create: those of principals and of resource owners.</summary>
    public ImmutableArray<string> Tenants { get; private set; } = [];
    /// <summary>Tenants of the principals; each holds the scenario's guardrails and boundary policy.</summary>
    public ImmutableArray<string> PrincipalTenants { get; private set; } = [];
    public ImmutableArray<PlannedRequest> Requests { get; private set; } = [];

    /// <summary>Every policy with the type the Admin API will store it as, for the strict validator.</summary>
    public IEnumerable<(PlannedPolicy Policy, V1.PolicyType Type)> Writes()
    {
        foreach (var p in Identity)
        {
            yield return (p, V1.PolicyType.Identity);
        }

        if (Boundary is not null)
        {
            // Created as a managed (identity) policy, then set as a boundary.
            yield return (Boundary, V1.PolicyType.Identity);
            yield return (Boundary, V1.PolicyType.PermissionsBoundary);
        }

        foreach (var p in Guardrails)
        {
            yield return (p, V1.PolicyType.Guardrail);
        }

        if (ResourcePolicy is not null)
        {
            yield return (ResourcePolicy, V1.PolicyType.Resource);
        }
    }

    /// <summary>
    /// Plans <paramref name="file"/> with its accounts mapped by <paramref name="newTenantId"/> (called once per distinct
    /// account, in order of first appearance) and S3 buckets prefixed with <paramref name="bucketPrefix"/>.
    /// <paramref name="rejects"/> tells whether the Admin API's strict validator refuses a document for a use (and why).
    /// </summary>
    public static async Task<ReplayPlan> CreateAsync(string file, Func<string> newTenantId, string bucketPrefix,
        Func<string, V1.PolicyType, Task<string?>> rejects)
    {
        var original = CorpusFiles.Read(file);
        var accounts = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var s in Strings(original))
        {
            foreach (Match m in AccountId().Matches(s))
            {
                if (!accounts.ContainsKey(m.Value))
                {
                    accounts[m.Value] = newTenantId();
                }
            }
        }

        var map = accounts.ToImmutable();
        string Rewrite(string s) =>
            S3Arn().Replace(AccountId().Replace(s, m => map[m.Value]), m => m.Value + bucketPrefix);

        var scenario = (JsonObject)RewriteStrings(original, Rewrite)!;
        var plan = new ReplayPlan { File = file, Accounts = map };
        plan.Build(scenario);
        if (plan.Skip is null)
        {
            foreach (var (policy, type) in plan.Writes())
            {
                if (await rejects(policy.Json, type) is { } why)
                {
                    plan.Skip = $"the admin validator rejects policy `{policy.Id}` as {type}: {why}";
                    break;
                }
            }
        }

        if (plan.Skip is not null)
        {
            plan.Requests = [.. plan.Requests.Select(r => r.Skip is null ? r with { Skip = plan.Skip } : r)];
        }

        return plan;
    }

    private void Build(JsonObject scenario)
    {
        var policies = scenario["policies"]!.AsObject();
        var documentText = string.Join("\n", policies.Select(p => p.Value!.ToJsonString())).ToLowerInvariant();
        Identity = [.. (policies["identity"]?.AsArray() ?? []).Select(Policy)];
        ResourcePolicy = policies["resource"] is { } resource ? Policy(resource) : null;

        if (policies["session"] is not null)
        {
            Skip = "session policy: the service evaluates a role session as its role, with no session policy";
        }
        else if (policies["resourceGuardrails"] is JsonArray { Count: > 0 })
        {
            Skip = "RCP-like resource guardrails: the service has no resource-side guardrails";
        }

        var levels = policies["guardrails"]?.AsArray().Select(l => l!.AsArray()).ToList() ?? [];
        if (Skip is null && levels.Any(l => l.Count != 1))
        {
            Skip = $"guardrail levels of sizes [{string.Join(", ", levels.Select(l => l.Count))}]: each tenant guardrail is a level of one policy";
        }
        else
        {
            Guardrails = [.. levels.Select(l => Policy(l[0]))];
        }

        var boundaries = policies["boundaries"]?.AsArray() ?? [];
        if (Skip is null && boundaries.Count > 1)
        {
            Skip = $"{boundaries.Count} boundary documents ORed: a user or role has one permissions boundary";
        }
        else if (boundaries.Count == 1)
        {
            Boundary = Policy(boundaries[0]);
        }

        var principals = new Dictionary<(string Tenant, bool IsRole, string Key), PlannedPrincipal>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var holders = new List<KeyValuePair<string, string>>();
        var ownerRegistrations = new List<KeyValuePair<string, string>>();
        var drafts = new List<PlannedRequest>();
        var index = 0;
        foreach (var node in scenario["requests"]!.AsArray())
        {
            var r = node!.AsObject();
            var request = new PlannedRequest
            {
                Index = index++,
                Description = (string)r["description"]!,
                Principal = (string)r["principal"]!,
                Action = (string)r["action"]!,
                Resource = (string)r["resource"]!,
                Decision = (string)r["decision"]!,
                Determining = r["determining"] is JsonArray d
                    ? [.. d.Select(x => ((string)x!["policy"]!, (int)x["statement"]!))]
                    : null,
                Context = [.. (r["context"]?.AsObject() ?? []).Select(kv => new KeyValuePair<string, string[]>(kv.Key, ContextValues(kv.Value)))],
            };
            drafts.Add(PlanRequest(request, (string?)r["resourceAccount"], principals, owners, holders, ownerRegistrations, documentText));
        }

        // A registered ARN governs the ARNs under it, so every request whose resource lies under one must have the
        // same owner, or the server would see another account than the corpus means.
        Requests = SkipUnfreshAcrossTenants([.. drafts.Select(r => r.Skip is null && r.Resource != "*" && ConflictingOwner(r, owners) is { } other
            ? r with { Skip = OwnerChange(other) }
            : r)]);
        Principals = [.. principals.Values];
        PolicyHolders = [.. holders];
        OwnerRegistrations = [.. ownerRegistrations];
        PrincipalTenants = [.. Principals.Select(p => p.TenantId).Distinct()];
        Tenants = [.. PrincipalTenants.Concat(Requests.Where(r => r.Skip is null).Select(r => r.ResourceTenant)).Concat(holders.Select(h => h.Value))
            .Concat(Requests.Where(r => r.Skip is null).Select(r => r.CheckTenant)).Where(t => t.Length > 0).Distinct()];
    }

    private PlannedRequest PlanRequest(PlannedRequest r, string? resourceAccount, Dictionary<(string, bool, string), PlannedPrincipal> principals,
        Dictionary<string, string> owners, List<KeyValuePair<string, string>> holders, List<KeyValuePair<string, string>> ownerRegistrations, string documentText)
    {
        // Who asks.
        PlannedPrincipal? principal = null;
        string? principalTenant = null;
        if (PrincipalArn().Match(r.Principal) is { Success: true } p)
        {
            principalTenant = p.Groups["tenant"].Value;
            principal = new PlannedPrincipal(principalTenant, p.Groups["type"].Value == "role", p.Groups["path"].Value, p.Groups["name"].Value);
        }
        else if (SessionArn().Match(r.Principal) is { Success: true } s)
        {
            principalTenant = s.Groups["tenant"].Value;
            principal = new PlannedPrincipal(principalTenant, IsRole: true, "/", s.Groups["role"].Value);
        }
        else if (r.Principal.EndsWith(":root", StringComparison.Ordinal))
        {
            return r with { Skip = "the account root as caller: the service never resolves a caller to the root" };
        }
        else if (r.Principal.Contains(":federated-user/", StringComparison.Ordinal))
        {
            return r with { Skip = "a federated user: the service has no federated sessions" };
        }
        else if (r.Principal is "*" or "anonymous")
        {
            return r with { Skip = "an anonymous caller: checks are made for a principal" };
        }
        else if (r.Principal.StartsWith("arn:", StringComparison.Ordinal))
        {
            return r with { Skip = $"principal `{r.Principal}` has no equivalent" };
        }

        // Whose resource it is: the corpus's resourceAccount, else the ARN's account, else the caller's.
        var arnAccount = r.Resource.Split(':') is { Length: >= 6 } parts && AccountId().IsMatch(parts[4]) ? parts[4] : null;
        var resourceTenant = resourceAccount ?? arnAccount ?? principalTenant;
        if (resourceTenant is null)
        {
            return r with { Skip = "a service principal without a tenant" };
        }

        if (principal is not null)
        {
            var key = (principal.TenantId, principal.IsRole, principal.Name.ToLowerInvariant());
            if (principals.TryGetValue(key, out var existing) && existing != principal)
            {
                return r with { Skip = $"`{principal.Arn}` and `{existing.Arn}` cannot both exist: names are unique per tenant case-insensitively" };
            }

            principals[key] = principal;
        }

        // The tenant the check is made in. A resource ARN cannot carry its owner for `*`, so then the tenant says it.
        string? tenantIdField = null;
        var checkTenant = principalTenant ?? resourceTenant;
        if (principal is null || (r.Resource == "*" && resourceTenant != principalTenant))
        {
            tenantIdField = resourceTenant;
            checkTenant = resourceTenant;
        }

        // The server's own context keys must be reproducible from the seeded state, or the request is not replayed.
        var context = r.Context.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var serverKey in ServerKeys)
        {
            if (!documentText.Contains(serverKey.ToLowerInvariant(), StringComparison.Ordinal))
            {
                continue;
            }

            string? served = serverKey switch
            {
                // A session's aws:PrincipalArn is its role's ARN, as in AWS.
                "aws:PrincipalArn" => principal?.Arn,
                "aws:PrincipalAccount" => principalTenant,
                "aws:username" => principal is { IsRole: false } ? principal.Name : null,
                "aws:PrincipalType" => principal is null ? "Service" : principal.IsRole ? "AssumedRole" : "User",
                "aws:ResourceAccount" => resourceTenant,
                _ => "(a value of the server's own)",
            };
            var given = context.GetValueOrDefault(serverKey);
            if (serverKey is "aws:userid" or "aws:CurrentTime" or "aws:EpochTime")
            {
                return r with { Skip = $"server-owned `{serverKey}`: the server supplies its own value, which the corpus cannot fix" };
            }

            if (given is null ? served is not null : given.Length != 1 || given[0] != served)
            {
                return r with
                {
                    Skip = $"server-owned `{serverKey}`: the corpus gives {(given is null ? "nothing" : $"`{string.Join(",", given)}`")}, the server supplies {(served is null ? "nothing" : $"`{served}`")}",
                };
            }
        }

        var principalTags = new List<KeyValuePair<string, string>>();
        var resourceTags = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in r.Context)
        {
            var isPrincipalTag = key.StartsWith(PrincipalTagPrefix, StringComparison.OrdinalIgnoreCase);
            var isResourceTag = key.StartsWith(ResourceTagPrefix, StringComparison.OrdinalIgnoreCase);
            if (!isPrincipalTag && !isResourceTag)
            {
                continue;
            }

            if (values.Length != 1)
            {
                return r with { Skip = $"`{key}` with {values.Length} values: a tag has one value" };
            }

            if (!TagText().IsMatch(values[0]))
            {
                return r with { Skip = $"`{key}` = `{values[0]}`: not a valid tag value (AWS tags use letters, digits, spaces and `_.:/=+-@`)" };
            }

            if (isPrincipalTag && principal is null)
            {
                return r with { Skip = $"`{key}` for a service principal, which has no tags" };
            }

            if (isResourceTag && r.Resource == "*")
            {
                return r with { Skip = $"`{key}` on resource `*`, which cannot be registered with tags" };
            }

            (isPrincipalTag ? principalTags : resourceTags).Add(new(key[(isPrincipalTag ? PrincipalTagPrefix : ResourceTagPrefix).Length..], values[0]));
        }

        // Where the resource policy lives: on the bucket for S3 objects (a bucket policy), else on the ARN itself.
        if (ResourcePolicy is not null)
        {
            if (r.Resource == "*")
            {
                return r with { Skip = "a resource policy with resource `*`: a policy is attached to an ARN" };
            }

            var holder = Bucket(r.Resource) ?? r.Resource;
            if (!Own(owners, holder, resourceTenant))
            {
                return r with { Skip = OwnerChange(holder) };
            }

            if (!holders.Any(h => h.Key == holder))
            {
                holders.Add(new(holder, resourceTenant));
            }
        }
        else if (r.Resource != "*" && resourceTenant != checkTenant)
        {
            // Nothing else says who owns it: register it (the bucket for S3) to its owner.
            var owned = Bucket(r.Resource) ?? r.Resource;
            if (!Own(owners, owned, resourceTenant))
            {
                return r with { Skip = OwnerChange(owned) };
            }

            if (!ownerRegistrations.Any(h => h.Key == owned))
            {
                ownerRegistrations.Add(new(owned, resourceTenant));
            }
        }

        if (resourceTags.Count > 0 && !Own(owners, r.Resource, resourceTenant))
        {
            return r with { Skip = OwnerChange(r.Resource) };
        }

        return r with
        {
            As = principal,
            TenantIdField = tenantIdField,
            CheckTenant = checkTenant,
            ResourceTenant = resourceTenant,
            PrincipalTags = [.. principalTags],
            ResourceTags = [.. resourceTags],
        };
    }

    /// <summary>
    /// <c>min_revision</c> is a revision of the check's tenant. A tag write between two requests in another tenant (of a
    /// cross-tenant principal or resource already cached by an earlier check) has no token the check could carry, so
    /// such a request is not replayed: its freshness would rest on the revision notification alone.
    /// </summary>
    private static ImmutableArray<PlannedRequest> SkipUnfreshAcrossTenants(ImmutableArray<PlannedRequest> requests)
    {
        var principalTags = new Dictionary<string, string>(StringComparer.Ordinal);
        var resourceTags = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<PlannedRequest>();
        foreach (var r in requests)
        {
            if (r.Skip is not null)
            {
                result.Add(r);
                continue;
            }

            var principalState = string.Join(";", r.PrincipalTags.Select(t => t.Key + "=" + t.Value));
            var resourceState = string.Join(";", r.ResourceTags.Select(t => t.Key + "=" + t.Value));
            var principalKey = r.As?.Arn ?? r.Principal;
            var principalChanges = r.As is not null && principalTags.GetValueOrDefault(principalKey, "") != principalState;
            var resourceChanges = resourceTags.GetValueOrDefault(r.Resource, "") != resourceState;
            if ((principalChanges && r.As!.TenantId != r.CheckTenant && used.Contains(principalKey))
                || (resourceChanges && r.ResourceTenant != r.CheckTenant && used.Contains(r.Resource)))
            {
                result.Add(r with { Skip = "a tag change in another tenant than the check's: min_revision covers one tenant" });
                continue;
            }

            principalTags[principalKey] = principalState;
            resourceTags[r.Resource] = resourceState;
            used.Add(principalKey);
            used.Add(r.Resource);
            result.Add(r);
        }

        return result.ToImmutable();
    }

    /// <summary>The nearest registered ARN at or above the request's resource whose owner is not the request's.</summary>
    private static string? ConflictingOwner(PlannedRequest r, Dictionary<string, string> owners)
    {
        for (var arn = r.Resource; ; arn = arn[..arn.LastIndexOf('/')])
        {
            if (owners.TryGetValue(arn, out var owner) && owner != r.ResourceTenant)
            {
                return arn;
            }

            if (arn.LastIndexOf('/') <= 0)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The resource changes owner between two requests. The service can do that (deregister, register elsewhere), but the
    /// cache stamps a resource with its owner's revision, so the check's <c>min_revision</c> (of the caller's tenant)
    /// would not cover the move; see FailClosedFaultTests.
    /// </summary>
    private static string OwnerChange(string arn) =>
        $"the resource changes owner between requests (`{arn}`): min_revision covers the check's tenant, not the previous owner's";

    private static bool Own(Dictionary<string, string> owners, string arn, string tenant) =>
        owners.TryAdd(arn, tenant) || owners[arn] == tenant;

    /// <summary>The bucket ARN of an S3 object ARN, or null for other ARNs.</summary>
    private static string? Bucket(string arn)
    {
        const string s3 = "arn:aws:s3:::";
        if (!arn.StartsWith(s3, StringComparison.Ordinal))
        {
            return null;
        }

        var slash = arn.IndexOf('/', s3.Length);
        return slash < 0 ? arn : arn[..slash];
    }

    private static PlannedPolicy Policy(JsonNode? node) => new((string)node!["id"]!, node["document"]!.ToJsonString());

    private static string[] ContextValues(JsonNode? value) => value switch
    {
        JsonArray array => [.. array.Select(Scalar)],
        _ => [Scalar(value)],
    };

    private static string Scalar(JsonNode? value) => value!.GetValueKind() switch
    {
        JsonValueKind.String => (string)value!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value!.ToJsonString(),
    };

    private static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    foreach (var s in Strings(v))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    foreach (var s in Strings(v))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                yield return (string)v!;
                break;
        }
    }

    /// <summary>A copy of <paramref name="node"/> with every string value (not property names) passed through <paramref name="rewrite"/>.</summary>
    private static JsonNode? RewriteStrings(JsonNode? node, Func<string, string> rewrite) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, RewriteStrings(kv.Value, rewrite)))),
        JsonArray a => new JsonArray([.. a.Select(v => RewriteStrings(v, rewrite))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(rewrite((string)v!)),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagText();

    /// <summary>The part of an S3 ARN (or ARN pattern) before the bucket name: any region and account fields.</summary>
    [GeneratedRegex("arn:aws:s3:[^:\"]*:[^:\"]*:")]
    private static partial Regex S3Arn();

    [GeneratedRegex("(?<![0-9])[0-9]{12}(?![0-9])")]
    private static partial Regex AccountId();

    [GeneratedRegex("^arn:aws:iam::(?<tenant>[0-9]{12}):(?<type>user|role)(?<path>/(?:[^/]+/)*)(?<name>[^/]+)$")]
    private static partial Regex PrincipalArn();

    [GeneratedRegex("^arn:aws:sts::(?<tenant>[0-9]{12}):assumed-role/(?<role>[^/]+)/(?<session>[^/]+)$")]
    private static partial Regex SessionArn();
}
