using System.Text.Json;
using System.Text.Json.Nodes;
using Authz.Cli.Commands.Loadtest;
using Authz.Policy.Simulation;
using Authz.Population;
using Authz.V1;

namespace Authz.Cli.Tests;

/// <summary>
/// The expected decisions of the workload are what the policy engine decides for the seeded policies: each check is
/// replayed offline with the documents the server would use (the principal's group or role policies, the nearest
/// bucket policy, the guardrail) and the context keys the server fills in (user name, principal tags).
/// </summary>
public sealed class PopulationTests
{
    private static readonly MlPlatformPopulation Population = new(tenants: 2, principals: 80);

    public static TheoryData<int> Principals() => [.. Enumerable.Range(0, 80)];

    [Theory]
    [MemberData(nameof(Principals))]
    public void Every_expected_decision_is_the_engines_decision(int index)
    {
        var principal = Population.Principal(index);
        var tenant = Population.Tenants.Single(t => t.TenantId == principal.TenantId);
        foreach (var check in Population.Checks(principal))
        {
            var outcome = Simulator.Run(JsonDocument.Parse(Case(tenant, principal, check).ToJsonString()).RootElement);
            Assert.True(outcome.Error is null, $"{check.Name}: {outcome.Error}");
            Assert.True(check.Expected.ToString() == outcome.Decision.ToString(), $"{check.Name} for `{principal.Arn}`: expected {check.Expected}, the engine says {outcome.Decision}");
        }
    }

    private static JsonObject Case(TenantPlan tenant, PopulationPrincipal principal, PopulationCheck check)
    {
        var context = new JsonObject();
        foreach (var (key, values) in check.Request.Context)
            context[key] = new JsonArray([.. values.Values.Select(v => (JsonNode)JsonValue.Create(v)!)]);
        IEnumerable<Tag> tags;
        IEnumerable<string> policyNames;
        if (principal.IsUser)
        {
            context["aws:username"] = principal.Name;
            tags = MlPlatformPopulation.UserTags(principal);
            policyNames = tenant.Groups.Single(g => g.Name == MlPlatformPopulation.GroupOf(principal.Kind)).Policies;
        }
        else
        {
            var role = tenant.Roles.Single(r => r.Name == MlPlatformPopulation.RoleOf(principal.Kind));
            tags = role.Tags;
            policyNames = role.Policies;
        }
        foreach (var tag in tags)
            context["aws:PrincipalTag/" + tag.Key] = tag.Value;

        var resourcePolicy = tenant.Resources.FirstOrDefault(r => r.Policy is not null && check.Request.Resource.StartsWith(r.Arn + "/", StringComparison.Ordinal))?.Policy;
        return new JsonObject
        {
            ["principal"] = principal.Arn,
            ["action"] = check.Request.Action,
            ["resource"] = check.Request.Resource,
            ["resourceAccount"] = tenant.TenantId,
            ["context"] = context,
            ["identityPolicies"] = new JsonArray([.. policyNames.Select(n => JsonNode.Parse(tenant.Policies.Single(p => p.Name == n).Document))]),
            ["resourcePolicy"] = resourcePolicy is null ? null : JsonNode.Parse(resourcePolicy),
            ["scps"] = new JsonArray(new JsonArray(JsonNode.Parse(tenant.Guardrail))),
        };
    }

    [Fact]
    public void Every_kind_has_each_outcome_and_principal_zero_is_a_data_scientist()
    {
        Assert.Equal(PrincipalKind.DataScientist, Population.Principal(0).Kind);
        var kinds = Enumerable.Range(0, 10).Select(Population.Principal).GroupBy(p => p.Kind).ToList();
        Assert.Equal(4, kinds.Count);
        foreach (var kind in kinds)
        {
            var decisions = Population.Checks(kind.First()).Select(c => c.Expected).ToHashSet();
            Assert.Equal([Decision.Allow, Decision.ExplicitDeny, Decision.ImplicitDeny], decisions.Order());
        }
    }

    [Fact]
    public void Tenants_have_twelve_digit_ids_and_principals_are_spread_over_them()
    {
        Assert.All(Population.Tenants, t => Assert.Matches("^[0-9]{12}$", t.TenantId));
        Assert.Equal(Population.Tenants[0].TenantId, Population.Principal(0).TenantId);
        Assert.Equal(Population.Tenants[1].TenantId, Population.Principal(1).TenantId);
        Assert.All(Enumerable.Range(0, 80).Select(Population.Principal), p => Assert.Contains($"::{p.TenantId}:", p.Arn, StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_sizes_give_the_same_population()
    {
        var again = new MlPlatformPopulation(2, 80);
        for (var i = 0; i < 80; i++)
        {
            Assert.Equal(Population.Principal(i), again.Principal(i));
            Assert.Equal(Population.Checks(Population.Principal(i)).Select(c => c.Request), again.Checks(again.Principal(i)).Select(c => c.Request));
        }
    }

    [Fact]
    public void The_workload_follows_the_mix()
    {
        var workload = new Workload(Population, new PrincipalSampler(TrafficDistribution.Uniform, 80), new RequestMix(60, 30, 10));
        var random = new Random(3);
        var counts = new Dictionary<Decision, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var expected = workload.Next(random).Expected;
            counts[expected] = counts.GetValueOrDefault(expected) + 1;
        }
        Assert.InRange(counts[Decision.Allow], 59_000, 61_000);
        Assert.InRange(counts[Decision.ExplicitDeny], 29_000, 31_000);
        Assert.InRange(counts[Decision.ImplicitDeny], 9_000, 11_000);
    }

    [Fact]
    public void Hot_traffic_is_all_for_principal_zero()
    {
        var workload = new Workload(Population, new PrincipalSampler(TrafficDistribution.Hot, 80), RequestMix.Default);
        var random = new Random(5);
        var arns = Enumerable.Range(0, 10_000).Select(_ => workload.Next(random).Check.Request.Principal).Distinct().ToList();
        Assert.Equal([Population.Principal(0).Arn], arns);
    }

    [Theory]
    [InlineData("70,15,15", true)]
    [InlineData("100,0,0", true)]
    [InlineData("70,15", false)]
    [InlineData("70,20,15", false)]
    [InlineData("a,b,c", false)]
    [InlineData("-10,60,50", false)]
    public void Mix_parsing(string text, bool valid)
    {
        Assert.Equal(valid, RequestMix.TryParse(text, out var mix, out var error));
        if (valid)
            Assert.Equal(text, mix!.ToString());
        else
            Assert.Contains($"`{text}`", error, StringComparison.Ordinal);
    }
}
