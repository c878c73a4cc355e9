using System.Collections.Immutable;
using Authz.V1;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// Seeds one planned corpus scenario through the Admin API and replays its requests through <c>Authorize</c>, each with
/// <c>min_revision</c> = the revision of the last write in the check's tenant.
/// </summary>
internal sealed class CorpusReplay(Admin.AdminClient admin, Authorization.AuthorizationClient authorization, ReplayPlan plan)
{
    private const string Trust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private readonly Dictionary<string, ulong> _revisions = new(StringComparer.Ordinal);
    /// <summary>The policy names the server reports (ARNs for managed policies and resource policies) -> corpus ids.</summary>
    private readonly Dictionary<string, string> _corpusIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<KeyValuePair<string, string>>> _principalTags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<KeyValuePair<string, string>>> _resourceTags = new(StringComparer.Ordinal);

    /// <summary>Requests replayed.</summary>
    public int Replayed { get; private set; }

    /// <summary>Seeds, replays, and returns one line per request that did not get the corpus's answer.</summary>
    public async Task<List<string>> RunAsync()
    {
        await SeedAsync();
        var failures = new List<string>();
        foreach (var r in plan.Requests.Where(r => r.Skip is null))
        {
            await SyncTagsAsync(r);
            var minRevision = _revisions[r.CheckTenant];
            var request = new AuthorizeRequest
            {
                TenantId = r.TenantIdField ?? "",
                Principal = r.Principal,
                Action = r.Action,
                Resource = r.Resource,
                MinRevision = minRevision,
            };
            foreach (var (key, values) in r.Context)
            {
                request.Context[key] = new ContextValues { Values = { values } };
            }

            var response = await authorization.AuthorizeAsync(request);
            Replayed++;
            var expected = Enum.Parse<Decision>(r.Decision switch
            {
                "Allow" => nameof(Decision.Allow),
                "ExplicitDeny" => nameof(Decision.ExplicitDeny),
                _ => nameof(Decision.ImplicitDeny),
            });
            var got = response.Determining.Select(d => (Policy: _corpusIds.GetValueOrDefault(d.Policy, d.Policy), Statement: (int)d.StatementIndex)).ToHashSet();
            var where = $"- [{r.Index}] {r.Description}:";
            if (response.Decision != expected)
            {
                failures.Add($"{where} expected {expected}, the service said {response.Decision}"
                    + (response.Reason.Length > 0 ? $" ({response.Reason})" : "") + $" determining [{Format(got)}]");
            }
            else if (r.Determining is { } want && !want.ToHashSet().SetEquals(got))
            {
                failures.Add($"{where} determining expected [{Format(want)}], the service said [{Format(got)}]");
            }

            if (response.Revision < minRevision)
            {
                failures.Add($"{where} evaluated at revision {response.Revision}, below min_revision {minRevision}");
            }
        }

        return failures;
    }

    private async Task SeedAsync()
    {
        foreach (var tenant in plan.Tenants)
        {
            Note(tenant, (await admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenant, Name = "corpus " + plan.File })).Revision);
        }

        var boundaryArns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tenant in plan.PrincipalTenants)
        {
            foreach (var guardrail in plan.Guardrails)
            {
                Note(tenant, (await admin.PutTenantGuardrailAsync(new PutTenantGuardrailRequest { TenantId = tenant, Name = guardrail.Id, PolicyDocument = guardrail.Json })).Revision);
            }

            if (plan.Boundary is { } boundary)
            {
                var created = await admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = tenant, PolicyName = boundary.Id, PolicyDocument = boundary.Json });
                Note(tenant, created.Revision);
                boundaryArns[tenant] = created.Policy.Arn;
                _corpusIds[created.Policy.Arn] = boundary.Id;
            }
        }

        foreach (var p in plan.Principals)
        {
            var t = p.TenantId;
            if (p.IsRole)
            {
                Note(t, (await admin.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = p.Name, Path = p.Path, AssumeRolePolicyDocument = Trust })).Revision);
                foreach (var policy in plan.Identity)
                {
                    Note(t, (await admin.PutRolePolicyAsync(new PutRolePolicyRequest { TenantId = t, RoleName = p.Name, PolicyName = policy.Id, PolicyDocument = policy.Json })).Revision);
                }

                if (boundaryArns.TryGetValue(t, out var arn))
                {
                    Note(t, (await admin.PutRolePermissionsBoundaryAsync(new PutRolePermissionsBoundaryRequest { TenantId = t, RoleName = p.Name, PolicyArn = arn })).Revision);
                }
            }
            else
            {
                Note(t, (await admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = p.Name, Path = p.Path })).Revision);
                foreach (var policy in plan.Identity)
                {
                    Note(t, (await admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = p.Name, PolicyName = policy.Id, PolicyDocument = policy.Json })).Revision);
                }

                if (boundaryArns.TryGetValue(t, out var arn))
                {
                    Note(t, (await admin.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { TenantId = t, UserName = p.Name, PolicyArn = arn })).Revision);
                }
            }

            _principalTags[p.Arn] = [];
        }

        foreach (var (arn, tenant) in plan.PolicyHolders)
        {
            Note(tenant, (await admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = tenant, ResourceArn = arn, PolicyDocument = plan.ResourcePolicy!.Json })).Revision);
            _corpusIds[arn] = plan.ResourcePolicy.Id;
        }

        foreach (var (arn, tenant) in plan.OwnerRegistrations)
        {
            Note(tenant, (await admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = tenant, ResourceArn = arn })).Revision);
        }

        foreach (var tenant in plan.Tenants)
        {
            _revisions.TryAdd(tenant, 0);
        }
    }

    /// <summary>Gives the principal and the resource exactly the tags this request's context names.</summary>
    private async Task SyncTagsAsync(PlannedRequest r)
    {
        if (r.As is { } p && !SameTags(_principalTags[p.Arn], r.PrincipalTags))
        {
            var current = _principalTags[p.Arn];
            var removed = current.Where(c => !r.PrincipalTags.Any(d => string.Equals(d.Key, c.Key, StringComparison.OrdinalIgnoreCase))).Select(c => c.Key).ToList();
            var tags = r.PrincipalTags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();
            if (p.IsRole)
            {
                if (removed.Count > 0)
                {
                    Note(p.TenantId, (await admin.UntagRoleAsync(new UntagRoleRequest { TenantId = p.TenantId, RoleName = p.Name, TagKeys = { removed } })).Revision);
                }

                if (tags.Count > 0)
                {
                    Note(p.TenantId, (await admin.TagRoleAsync(new TagRoleRequest { TenantId = p.TenantId, RoleName = p.Name, Tags = { tags } })).Revision);
                }
            }
            else
            {
                if (removed.Count > 0)
                {
                    Note(p.TenantId, (await admin.UntagUserAsync(new UntagUserRequest { TenantId = p.TenantId, UserName = p.Name, TagKeys = { removed } })).Revision);
                }

                if (tags.Count > 0)
                {
                    Note(p.TenantId, (await admin.TagUserAsync(new TagUserRequest { TenantId = p.TenantId, UserName = p.Name, Tags = { tags } })).Revision);
                }
            }

            _principalTags[p.Arn] = r.PrincipalTags;
        }

        var resourceTags = _resourceTags.GetValueOrDefault(r.Resource, []);
        if (r.Resource != "*" && !SameTags(resourceTags, r.ResourceTags))
        {
            var registered = await admin.RegisterResourceAsync(new RegisterResourceRequest
            {
                TenantId = r.ResourceTenant,
                ResourceArn = r.Resource,
                Tags = { r.ResourceTags.Select(t => new Tag { Key = t.Key, Value = t.Value }) },
            });
            Note(r.ResourceTenant, registered.Revision);
            _resourceTags[r.Resource] = r.ResourceTags;
        }
    }

    private static bool SameTags(ImmutableArray<KeyValuePair<string, string>> a, ImmutableArray<KeyValuePair<string, string>> b) =>
        a.Length == b.Length && a.All(x => b.Any(y => string.Equals(x.Key, y.Key, StringComparison.OrdinalIgnoreCase) && x.Value == y.Value));

    private void Note(string tenant, ulong revision) =>
        _revisions[tenant] = Math.Max(_revisions.GetValueOrDefault(tenant), revision);

    private static string Format(IEnumerable<(string Policy, int Statement)> statements) =>
        string.Join(", ", statements.Select(s => $"{s.Policy}[{s.Statement}]").Order(StringComparer.Ordinal));
}
