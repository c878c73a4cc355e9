using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Benchmarks;

/// <summary>
/// One benchmark scenario read from <c>Scenarios/*.json</c>: compiled policy sets, named requests and the decision
/// each request must get. Policies are given inline or as paths relative to the scenario file.
/// </summary>
/// <remarks>
/// Scenario file:
/// <code>
/// { "description": "...", "principal": "arn:...",
///   "identityPolicies": [doc | "file.json"], "permissionBoundaries": [...], "guardrails": [[...], ...],
///   "resourcePolicy": doc | "file.json" | null, "resourceGuardrails": [[...]], "context": { shared keys },
///   "requests": { "Name": { "action", "resource", "resourceAccount", "principal", "context",
///                           "expected": "Allow|ExplicitDeny|ImplicitDeny", "determining": ["Sid", ...] } } }
/// </code>
/// </remarks>
public sealed class Scenario
{
    /// <summary>
    /// Scenario documents are benchmark inputs, not admin writes: strict grammar, but no size limit, so one scenario
    /// can hold 1,000 statements in one policy.
    /// </summary>
    public static ParseOptions ParseOptions { get; } = new() { Strict = true, MaxDocumentCharacters = null, MaxStatements = 10_000 };

    public required string Name { get; init; }
    public required string Description { get; init; }
    public required PrincipalPolicySet Principal { get; init; }
    public required ResourcePolicySet Resource { get; init; }
    public required IReadOnlyDictionary<string, ScenarioRequest> Requests { get; init; }

    /// <summary>The total number of statements across every policy of the scenario.</summary>
    public int StatementCount =>
        Principal.Identity.Sum(p => p.Statements.Length) + Principal.Boundaries.Sum(p => p.Statements.Length)
        + (Principal.Guardrails.IsDefault ? 0 : Principal.Guardrails.Sum(l => l.Sum(p => p.Statements.Length)))
        + (Resource.Policy?.Statements.Length ?? 0);

    /// <summary>The request called <paramref name="name"/>.</summary>
    public ScenarioRequest this[string name] =>
        Requests.TryGetValue(name, out var r) ? r : throw new InvalidOperationException($"scenario `{Name}` has no request `{name}`");

    /// <summary>Loads <c>Scenarios/{fileName}</c> from the build output.</summary>
    public static Scenario Load(string fileName)
    {
        var path = Path.Combine(ScenarioDirectory, fileName);
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidOperationException($"{path}: a scenario must be a JSON object");
        return FromJson(Path.GetFileNameWithoutExtension(fileName) is "scenario" ? Path.GetFileName(Path.GetDirectoryName(path))! : Path.GetFileNameWithoutExtension(fileName),
            root, Path.GetDirectoryName(path)!);
    }

    /// <summary>Where the scenario files are copied to (next to the benchmark assembly).</summary>
    public static string ScenarioDirectory => Path.Combine(AppContext.BaseDirectory, "Scenarios");

    /// <summary>Builds a scenario from its JSON form; <paramref name="baseDirectory"/> resolves policy file paths.</summary>
    public static Scenario FromJson(string name, JsonObject root, string baseDirectory)
    {
        var compiled = 0;
        CompiledPolicy Compile(JsonNode node, PolicyType type, string fallbackId)
        {
            string json, id;
            if (node is JsonValue v && v.TryGetValue<string>(out var file))
            {
                json = File.ReadAllText(Path.Combine(baseDirectory, file));
                id = Path.GetFileNameWithoutExtension(file);
            }
            else
            {
                json = node.ToJsonString();
                id = fallbackId;
            }
            var result = PolicyCompiler.ParseAndCompile(json, type, id, "v1", ParseOptions);
            if (result.Policy is null)
                throw new InvalidOperationException($"scenario `{name}`: policy `{id}` does not compile: {result.FirstError}");
            compiled++;
            return result.Policy;
        }

        ImmutableArray<CompiledPolicy> List(string field, PolicyType type) =>
            root[field] is JsonArray array ? [.. array.Select((n, i) => Compile(n!, type, $"{field}[{i}]"))] : [];

        ImmutableArray<ImmutableArray<CompiledPolicy>> Levels(string field, PolicyType type) =>
            root[field] is JsonArray levels
                ? [.. levels.Select((level, i) => level is JsonArray docs
                    ? docs.Select((d, j) => Compile(d!, type, $"{field}[{i}][{j}]")).ToImmutableArray()
                    : [Compile(level!, type, $"{field}[{i}]")])]
                : default;

        var principalSet = new PrincipalPolicySet(List("identityPolicies", PolicyType.Identity),
            List("permissionBoundaries", PolicyType.PermissionsBoundary), Levels("guardrails", PolicyType.Guardrail), revision: 1);
        var resourcePolicy = root["resourcePolicy"] is { } rp ? Compile(rp, PolicyType.Resource, "resourcePolicy") : null;
        var resourceSet = new ResourcePolicySet(resourcePolicy, Levels("resourceGuardrails", PolicyType.ResourceGuardrail), revision: 1);

        var sharedContext = root["context"] as JsonObject;
        var defaultPrincipal = (string?)root["principal"];
        var requests = new Dictionary<string, ScenarioRequest>(StringComparer.Ordinal);
        foreach (var (requestName, node) in root["requests"] as JsonObject ?? throw new InvalidOperationException($"scenario `{name}` has no `requests`"))
        {
            var r = node as JsonObject ?? throw new InvalidOperationException($"scenario `{name}`: request `{requestName}` must be an object");
            var principal = (string?)r["principal"] ?? defaultPrincipal
                ?? throw new InvalidOperationException($"scenario `{name}`: request `{requestName}` has no principal");
            var context = ReadContext(sharedContext, r["context"] as JsonObject);
            if (!AuthorizationRequest.TryCreate(principal, (string)r["action"]!, (string)r["resource"]!, (string?)r["resourceAccount"], context,
                    out var request, out var error))
                throw new InvalidOperationException($"scenario `{name}`: request `{requestName}`: {error}");
            requests[requestName] = new ScenarioRequest(
                requestName,
                (string?)r["description"],
                request,
                Enum.Parse<Decision>((string)r["expected"]!),
                r["determining"] is JsonArray determining ? [.. determining.Select(d => (string)d!)] : null);
        }

        return new Scenario
        {
            Name = name,
            Description = (string?)root["description"] ?? "",
            Principal = principalSet,
            Resource = resourceSet,
            Requests = requests,
        };
    }

    /// <summary>The request context: the scenario's shared keys, then the request's own (which replace shared ones).</summary>
    private static RequestContext ReadContext(JsonObject? shared, JsonObject? own)
    {
        var values = new List<KeyValuePair<string, string[]>>();
        foreach (var source in new[] { shared, own })
            if (source is not null)
                foreach (var (key, value) in source)
                    values.Add(new(key, value is JsonArray array ? [.. array.Select(Scalar)] : [Scalar(value)]));
        return RequestContext.Create(values);
    }

    /// <summary>A context value as the wire carries it: strings as-is, numbers and booleans as their JSON text.</summary>
    private static string Scalar(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => (string)node!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node!.ToJsonString(),
        _ => throw new InvalidOperationException($"context values must be strings, numbers or booleans, not `{node?.ToJsonString()}`"),
    };

    /// <summary>
    /// The correctness guard run by every benchmark's <c>[GlobalSetup]</c>: each request must get its expected decision
    /// through the fast path (no trace) and through the explained path, with the expected determining statements.
    /// Throws, so a benchmark can never measure a broken path.
    /// </summary>
    public Scenario AssertDecisions()
    {
        foreach (var r in Requests.Values)
            r.AssertDecision(this);
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A request of a scenario, with the decision it must get.</summary>
public sealed record ScenarioRequest(string Name, string? Description, AuthorizationRequest Request, Decision Expected,
    ImmutableArray<string>? Determining)
{
    public void AssertDecision(Scenario scenario)
    {
        var fast = PolicyEvaluator.Evaluate(Request, scenario.Principal, scenario.Resource);
        if (fast != Expected)
            throw new InvalidOperationException($"scenario `{scenario.Name}`: request `{Name}` got {fast} without a trace, expected {Expected}");

        var explained = PolicyEvaluator.EvaluateWithResult(Request, scenario.Principal, scenario.Resource, explain: true);
        if (explained.Decision != Expected)
            throw new InvalidOperationException($"scenario `{scenario.Name}`: request `{Name}` got {explained.Decision} with a trace, expected {Expected}");
        if (Determining is { } expectedSids)
        {
            var actual = explained.Determining.Select(d => d.Sid ?? $"#{d.StatementIndex}").Order(StringComparer.Ordinal).ToArray();
            if (!actual.SequenceEqual(expectedSids.Order(StringComparer.Ordinal)))
                throw new InvalidOperationException($"scenario `{scenario.Name}`: request `{Name}` was decided by [{string.Join(", ", actual)}], " +
                    $"expected [{string.Join(", ", expectedSids)}]");
        }
    }
}
