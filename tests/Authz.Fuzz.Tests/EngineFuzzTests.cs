using System.Text;
using System.Text.Json;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;
using Authz.Policy.Simulation;
using Authz.Policy.Validation;
using Xunit.Abstractions;

namespace Authz.Fuzz.Tests;

/// <summary>
/// Drives mutated policy documents and cases through the parser, validator, compiler and evaluator (and the simulator,
/// which chains them). Invariants: no exception escapes, and no invalid input yields an Allow. Speed is not asserted
/// here (benchmarks measure it): the wildcard matcher tracks the set of reachable positions instead of backtracking, so
/// no input can make it exponential, and a hang would stop the run.
/// The iteration count comes from AUTHZ_FUZZ_ITERATIONS (CI runs a shorter pass; 100,000 on demand).
/// </summary>
public sealed class EngineFuzzTests(ITestOutputHelper output)
{
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTHZ_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 20_000;

    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTHZ_FUZZ_SEED"), out var s) ? s : 20261130;

    private static readonly string[] SeedCases = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "seeds", "iam-sample-cases.jsonl"))
        .Where(l => l.Length > 0).ToArray();

    private static readonly string[] SeedPolicies = SeedCases
        .SelectMany(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var docs = new List<string>();
            foreach (var field in new[] { "identityPolicies", "permissionBoundaries" })
                if (root.TryGetProperty(field, out var list) && list.ValueKind == JsonValueKind.Array)
                    docs.AddRange(list.EnumerateArray().Select(e => e.GetRawText()));
            foreach (var field in new[] { "resourcePolicy", "sessionPolicy" })
                if (root.TryGetProperty(field, out var one) && one.ValueKind == JsonValueKind.Object)
                    docs.Add(one.GetRawText());
            return docs;
        })
        .Distinct()
        .ToArray();

    private static readonly AuthorizationRequest[] Requests =
    [
        Request("arn:aws:iam::111111111111:user/alice", "s3:GetObject", "arn:aws:s3:::ml-data-123/x.csv", "111111111111",
            ("aws:username", ["alice"]), ("aws:PrincipalTag/team", ["ml"]), ("aws:SourceIp", ["10.1.2.3"]), ("aws:TagKeys", ["a", "b"])),
        Request("arn:aws:sts::222222222222:assumed-role/Train/s1", "sagemaker:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:111111111111:training-job/j", null,
            ("aws:CurrentTime", ["2025-06-01T12:00:00Z"]), ("aws:MultiFactorAuthAgeSeconds", ["abc"]), ("aws:SecureTransport", ["maybe"])),
        Request("anonymous", "s3:PutObject", "*", "111111111111"),
    ];

    [Fact]
    public void Mutated_documents_never_throw_or_allow_when_invalid()
    {
        var mutator = new PolicyMutator(Seed);
        var random = new Random(Seed);
        var types = Enum.GetValues<PolicyType>();
        var parsed = 0;
        var compiled = 0;
        var trace = new EvaluationTrace { Explain = true };

        for (var i = 0; i < Iterations; i++)
        {
            var source = SeedPolicies[random.Next(SeedPolicies.Length)];
            var bytes = i % 5 == 0 ? mutator.MutateBytes(Encoding.UTF8.GetBytes(source)) : null;
            var text = bytes is null ? mutator.MutateText(source) : null;
            var options = i % 2 == 0 ? ParseOptions.StrictDefault : ParseOptions.Lenient;
            var type = types[random.Next(types.Length)];
            CheckDocument(bytes, text, options, type, trace, ref parsed, ref compiled);
        }

        output.WriteLine($"{Iterations} mutated documents (seed {Seed}): {parsed} parsed, {compiled} compiled and evaluated");
        Assert.True(parsed > 0 && compiled > 0, "the mutator should leave some documents valid");
    }

    private static void CheckDocument(byte[]? bytes, string? text, ParseOptions options, PolicyType type, EvaluationTrace trace,
        ref int parsed, ref int compiled)
    {
        ParseResult result = bytes is not null ? PolicyParser.Parse(bytes) : PolicyParser.Parse(text!, options);
        // The validator (what `authz validate` and ValidatePolicy run) on the same input: findings, never an exception,
        // and an error whenever the parser refuses the document.
        var findings = bytes is not null ? PolicyValidator.Validate(bytes, type) : PolicyValidator.Validate(text!, type, options);
        Assert.All(findings, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
        if (result.Document is null)
            Assert.Contains(findings, d => d.Severity == Severity.Error);
        {
            if (result.Document is { } document)
            {
                parsed++;
                Assert.DoesNotContain(result.Diagnostics, d => d.Severity == Severity.Error);
                var compile = PolicyCompiler.Compile(document, type, "fuzz");
                Assert.Equal(compile.Policy is null, compile.Diagnostics.Any(d => d.Severity == Severity.Error));
                if (compile.Policy is { } policy)
                {
                    compiled++;
                    foreach (var request in Requests)
                    {
                        trace.Reset();
                        EvaluateAs(policy, request, trace);
                    }
                }
            }
            else
            {
                Assert.Contains(result.Diagnostics, d => d.Severity == Severity.Error);
                Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
            }
        }
    }

    [Fact]
    public void Mutated_cases_never_throw_and_errors_never_carry_a_decision()
    {
        var mutator = new PolicyMutator(Seed + 1);
        var random = new Random(Seed + 1);
        var errors = 0;
        var allows = 0;
        for (var i = 0; i < Iterations / 2; i++)
        {
            var line = mutator.MutateText(SeedCases[random.Next(SeedCases.Length)]);
            var outcome = Simulator.Run(line);
            if (outcome.Error is not null)
            {
                errors++;
                Assert.Null(outcome.Decision);
            }
            else
            {
                Assert.NotNull(outcome.Result);
                if (outcome.Decision == Decision.Allow)
                {
                    allows++;
                    // An Allow must be explained by at least one applicable Allow statement, or by the account root.
                    Assert.True(outcome.Result!.Determining.Any(d => d.Effect == Effect.Allow) || line.Contains(":root\""),
                        $"case {i}: Allow without a determining Allow statement: {line}");
                }
            }
        }
        output.WriteLine($"{Iterations / 2} mutated cases: {errors} errors, {allows} allows");
    }

    [Fact]
    public void Deeply_nested_and_oversized_documents_are_refused_cleanly()
    {
        var nested = "{\"Version\":\"2012-10-17\",\"Statement\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        var result = PolicyParser.Parse(nested, ParseOptions.Lenient);
        Assert.False(result.Success);
        Assert.Contains("depth", result.Diagnostics[0].Message);
        Assert.Contains("non-whitespace characters", PolicyParser.Parse(nested).Diagnostics[0].Message);

        var huge = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"" + new string('a', 1_000_000) + "\"}}";
        Assert.False(PolicyParser.Parse(huge).Success);
    }

    private static void EvaluateAs(CompiledPolicy policy, AuthorizationRequest request, EvaluationTrace trace)
    {
        Decision decision;
        switch (policy.Type)
        {
            case PolicyType.Identity:
                decision = PolicyEvaluator.Evaluate(request, new PrincipalPolicySet([policy]), null, null, trace);
                break;
            case PolicyType.PermissionsBoundary:
                decision = PolicyEvaluator.Evaluate(request, new PrincipalPolicySet([], [policy]), null, null, trace);
                Assert.NotEqual(Decision.Allow, decision); // a boundary never grants on its own
                return;
            case PolicyType.Guardrail:
                decision = PolicyEvaluator.Evaluate(request, new PrincipalPolicySet([], null, [[policy]]), null, null, trace);
                Assert.NotEqual(Decision.Allow, decision); // a guardrail never grants
                return;
            case PolicyType.ResourceGuardrail:
                decision = PolicyEvaluator.Evaluate(request, null, new ResourcePolicySet(null, [[policy]]), null, trace);
                Assert.NotEqual(Decision.Allow, decision);
                return;
            case PolicyType.Session:
                decision = PolicyEvaluator.Evaluate(request, null, null, policy, trace);
                Assert.NotEqual(Decision.Allow, decision); // a session policy never grants on its own
                return;
            default:
                decision = PolicyEvaluator.Evaluate(request, null, new ResourcePolicySet(policy), null, trace);
                break;
        }
        // An Allow always has an applicable Allow statement behind it.
        if (decision == Decision.Allow)
            Assert.NotEmpty(trace.ToResult(decision).Determining);
    }

    private static AuthorizationRequest Request(string principal, string action, string resource, string? account,
        params (string Key, string[] Values)[] context)
    {
        var ctx = RequestContext.Create(context.Select(c => new KeyValuePair<string, string[]>(c.Key, c.Values)));
        if (!AuthorizationRequest.TryCreate(principal, action, resource, account, ctx, out var request, out var error))
            throw new InvalidOperationException(error);
        return request;
    }
}
