using System.Collections.Immutable;
using System.Text;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Simulation;

namespace Authz.Policy.Tests.Corpus;

/// <summary>
/// Replays every scenario of <c>tests/corpus</c> through the engine and asserts the decision and, where the file gives
/// them, the determining statements. The expectations come from AWS's documentation, not from the engine.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string> Files() => [.. CorpusFile.RelativePaths()];

    [Theory]
    [MemberData(nameof(Files))]
    public void Scenario_matches_the_documented_decision(string file)
    {
        var scenario = CorpusFile.Load(file);
        var (principal, resource, session) = Compile(scenario.Policies);

        var failures = new StringBuilder();
        foreach (var r in scenario.Requests)
        {
            var context = RequestContext.Create((r.Context ?? ImmutableDictionary<string, System.Text.Json.JsonElement>.Empty)
                .Select(kv => new KeyValuePair<string, string[]>(kv.Key, CorpusFile.ContextValues(kv.Key, kv.Value))));
            if (!AuthorizationRequest.TryCreate(r.Principal, r.Action, r.Resource, r.ResourceAccount, context, out var request, out var error))
            {
                failures.AppendLine($"- {r.Description}: the engine rejected the request: {error}");
                continue;
            }

            var result = PolicyEvaluator.EvaluateWithResult(request, principal, resource, session);
            if (result.Decision != r.Decision)
            {
                failures.AppendLine($"- {r.Description}: expected {r.Decision}, engine said {result.Decision}"
                    + (result.Reason is null ? "" : $" ({result.Reason})") + Describe(" determining", result.Determining));
                continue;
            }
            if (r.Determining is { } expected)
            {
                var want = expected.Select(d => (d.Policy, d.Statement)).ToHashSet();
                var got = result.Determining.Select(d => (d.PolicyId, d.StatementIndex)).ToHashSet();
                if (!want.SetEquals(got))
                    failures.AppendLine($"- {r.Description}: determining expected [{string.Join(", ", want.Order().Select(Format))}]"
                        + Describe(", engine said", result.Determining));
            }
        }
        Assert.True(failures.Length == 0, $"{file}: {scenario.Description}\n{failures}");
    }

    [Fact]
    public void Corpus_has_every_area_and_enough_scenarios()
    {
        var files = CorpusFile.RelativePaths().ToList();
        Assert.True(files.Count >= 150, $"only {files.Count} scenario files");
        var areas = files.Select(f => f.Split('/')[0]).ToHashSet();
        Assert.Empty(CorpusFile.Areas.Except(areas));
    }

    [Fact]
    public void Loader_rejects_unknown_members()
    {
        const string ok = """
            {"description": "d", "policies": {}, "requests": [{"description": "r", "principal": "arn:aws:iam::111122223333:user/a",
             "action": "s3:GetObject", "resource": "*", "resourceAccount": "111122223333", "decision": "ImplicitDeny"}]}
            """;
        CorpusFile.Parse(ok, "ok");
        Assert.Throws<InvalidDataException>(() => CorpusFile.Parse(ok.Replace("\"policies\": {}", "\"policies\": {\"scps\": []}"), "unknown policy kind"));
        Assert.Throws<InvalidDataException>(() => CorpusFile.Parse(ok.Replace("\"decision\"", "\"expected\": 1, \"decision\""), "unknown request member"));
        Assert.Throws<InvalidDataException>(() => CorpusFile.Parse(ok.Replace("ImplicitDeny", "Deny"), "bad decision"));
        Assert.Throws<InvalidDataException>(() => CorpusFile.Parse(ok.Replace("\"description\": \"d\", ", ""), "missing description"));
        Assert.Throws<InvalidDataException>(() => CorpusFile.Parse(ok.Replace("111122223333\", \"decision", "1111\", \"decision"), "bad account"));
    }

    private static (PrincipalPolicySet, ResourcePolicySet, CompiledPolicy?) Compile(CorpusPolicies p)
    {
        CompiledPolicy C(CorpusPolicy policy, PolicyType type) => Simulator.CompileDocument(policy.Document, type, policy.Id);
        ImmutableArray<ImmutableArray<CompiledPolicy>> Levels(ImmutableArray<ImmutableArray<CorpusPolicy>>? levels, PolicyType type) =>
            levels is { } l ? [.. l.Select(level => level.Select(x => C(x, type)).ToImmutableArray())] : default;

        var principal = new PrincipalPolicySet(
            (p.Identity ?? []).Select(x => C(x, PolicyType.Identity)),
            (p.Boundaries ?? []).Select(x => C(x, PolicyType.PermissionsBoundary)),
            Levels(p.Guardrails, PolicyType.Guardrail));
        var resource = new ResourcePolicySet(
            p.Resource is null ? null : C(p.Resource, PolicyType.Resource),
            Levels(p.ResourceGuardrails, PolicyType.ResourceGuardrail));
        var session = p.Session is null ? null : C(p.Session, PolicyType.Session);
        return (principal, resource, session);
    }

    private static string Format((string Policy, int Statement) d) => $"{d.Policy}[{d.Statement}]";

    private static string Describe(string label, ImmutableArray<DeterminingStatement> statements) =>
        statements.IsDefaultOrEmpty ? "" : $"{label} [{string.Join(", ", statements.Select(s => Format((s.PolicyId, s.StatementIndex))).Order())}]";
}
