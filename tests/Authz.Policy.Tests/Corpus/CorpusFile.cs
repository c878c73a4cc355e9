using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Authz.Policy.Evaluation;

namespace Authz.Policy.Tests.Corpus;

/// <summary>One scenario file of <c>tests/corpus</c> (see its README.md and schema.json).</summary>
public sealed record CorpusScenario
{
    public required string Description { get; init; }
    public required CorpusPolicies Policies { get; init; }
    public required ImmutableArray<CorpusRequest> Requests { get; init; }
}

/// <summary>The policies of a scenario; every member is optional.</summary>
public sealed record CorpusPolicies
{
    public ImmutableArray<CorpusPolicy>? Identity { get; init; }
    public CorpusPolicy? Resource { get; init; }
    public ImmutableArray<CorpusPolicy>? Boundaries { get; init; }
    public ImmutableArray<ImmutableArray<CorpusPolicy>>? Guardrails { get; init; }
    public ImmutableArray<ImmutableArray<CorpusPolicy>>? ResourceGuardrails { get; init; }
    public CorpusPolicy? Session { get; init; }

    /// <summary>Every policy of the scenario, in no particular order.</summary>
    public IEnumerable<CorpusPolicy> All()
    {
        foreach (var p in Identity ?? []) yield return p;
        if (Resource is not null) yield return Resource;
        foreach (var p in Boundaries ?? []) yield return p;
        foreach (var level in Guardrails ?? []) foreach (var p in level) yield return p;
        foreach (var level in ResourceGuardrails ?? []) foreach (var p in level) yield return p;
        if (Session is not null) yield return Session;
    }
}

/// <summary>A policy document with the id that <c>determining</c> refers to.</summary>
public sealed record CorpusPolicy
{
    public required string Id { get; init; }
    /// <summary>The IAM policy document, handed to the engine's own strict parser.</summary>
    public required JsonElement Document { get; init; }
}

/// <summary>One request and the decision AWS's documentation gives for it.</summary>
public sealed record CorpusRequest
{
    public required string Description { get; init; }
    public required string Principal { get; init; }
    public required string Action { get; init; }
    public required string Resource { get; init; }
    public string? ResourceAccount { get; init; }
    public ImmutableDictionary<string, JsonElement>? Context { get; init; }
    public required Decision Decision { get; init; }
    public ImmutableArray<CorpusStatementRef>? Determining { get; init; }
}

/// <summary>A statement of a scenario policy, by policy id and 0-based index.</summary>
public sealed record CorpusStatementRef
{
    public required string Policy { get; init; }
    public required int Statement { get; init; }
}

/// <summary>Finds and strictly loads the corpus: unknown members, missing required members and bad values are errors.</summary>
public static partial class CorpusFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        Converters = { new JsonStringEnumConverter<Decision>(allowIntegerValues: false) },
    };

    /// <summary>The areas the corpus README lists; a directory outside this list is a mistake.</summary>
    public static readonly ImmutableHashSet<string> Areas =
    [
        "grammar", "actions", "resources", "string", "numeric", "date", "bool", "binary", "ip", "arn", "null", "ifexists",
        "multivalue", "variables", "combining", "resource-policies", "cross-account", "boundaries", "guardrails",
        "resource-guardrails", "session",
    ];

    [GeneratedRegex("^[0-9]{3}-[a-z0-9]+(-[a-z0-9]+)*\\.json$")]
    private static partial Regex FileName();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex PolicyId();

    /// <summary>The <c>tests/corpus</c> directory, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "corpus");
            if (File.Exists(Path.Combine(candidate, "schema.json")))
                return candidate;
        }
        throw new DirectoryNotFoundException("tests/corpus (with schema.json) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every scenario file, as paths relative to <see cref="Root"/> with forward slashes, sorted.</summary>
    public static IEnumerable<string> RelativePaths() =>
        Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Where(p => p != "schema.json")
            .Order(StringComparer.Ordinal);

    /// <summary>Loads one file; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static CorpusScenario Load(string relativePath)
    {
        var parts = relativePath.Split('/');
        if (parts.Length != 2 || !Areas.Contains(parts[0]) || !FileName().IsMatch(parts[1]))
            throw new InvalidDataException($"{relativePath}: files must be <area>/NNN-slug.json with a known area");
        return Parse(File.ReadAllText(Path.Combine(Root, relativePath)), relativePath);
    }

    /// <summary>Parses and checks one scenario given as JSON text.</summary>
    public static CorpusScenario Parse(string json, string name)
    {
        CorpusScenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<CorpusScenario>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{name}: {ex.Message}", ex);
        }
        if (scenario is null)
            throw new InvalidDataException($"{name}: the file is `null`");
        Check(scenario, name);
        return scenario;
    }

    /// <summary>The schema's rules that deserialization alone does not enforce.</summary>
    private static void Check(CorpusScenario s, string name)
    {
        void Fail(string message) => throw new InvalidDataException($"{name}: {message}");

        if (string.IsNullOrWhiteSpace(s.Description))
            Fail("empty `description`");
        if (s.Requests.IsDefaultOrEmpty || s.Requests.Length > 6)
            Fail("`requests` must hold 1 to 6 requests");

        var statementCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var policy in s.Policies.All())
        {
            if (!PolicyId().IsMatch(policy.Id))
                Fail($"bad policy id `{policy.Id}`");
            if (policy.Document.ValueKind != JsonValueKind.Object)
                Fail($"policy `{policy.Id}`: `document` must be an object");
            if (!policy.Document.TryGetProperty("Statement", out var statement))
                Fail($"policy `{policy.Id}`: no `Statement`");
            var count = statement.ValueKind switch
            {
                JsonValueKind.Array => statement.GetArrayLength(),
                JsonValueKind.Object => 1,
                _ => -1,
            };
            if (count < 1)
                Fail($"policy `{policy.Id}`: `Statement` must be an object or a non-empty array");
            if (!statementCounts.TryAdd(policy.Id, count))
                Fail($"policy id `{policy.Id}` is used twice");
        }

        foreach (var r in s.Requests)
        {
            var where = $"request `{r.Description}`";
            if (string.IsNullOrWhiteSpace(r.Description))
                Fail("a request has an empty `description`");
            if (r.Principal.Length == 0 || r.Resource.Length == 0 || !r.Action.Contains(':'))
                Fail($"{where}: principal, action (service:Name) and resource are required");
            if (r.ResourceAccount is { } account && !AccountId().IsMatch(account))
                Fail($"{where}: `resourceAccount` must be 12 digits");
            foreach (var (key, value) in r.Context ?? ImmutableDictionary<string, JsonElement>.Empty)
                ContextValues(key, value); // throws on a bad value
            if (r.Determining is { } determining)
            {
                if (r.Decision == Decision.ImplicitDeny && determining.Length > 0)
                    Fail($"{where}: an ImplicitDeny has no determining statements");
                foreach (var d in determining)
                    if (!statementCounts.TryGetValue(d.Policy, out var n) || d.Statement < 0 || d.Statement >= n)
                        Fail($"{where}: determining statement {d.Policy}[{d.Statement}] does not exist");
            }
        }
    }

    /// <summary>A context value as the engine takes it: strings, with numbers as written and booleans as true/false.</summary>
    public static string[] ContextValues(string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(v => Scalar(key, v))],
        _ => [Scalar(key, value)],
    };

    private static string Scalar(string key, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new InvalidDataException($"context key `{key}`: values must be strings, numbers, booleans or arrays of them"),
    };
}
