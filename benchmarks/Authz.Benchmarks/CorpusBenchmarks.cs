using System.Collections.Immutable;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Simulation;

namespace Authz.Benchmarks;

/// <summary>
/// Every request of the repository's scenario data, compiled once in setup and evaluated in one operation:
/// <c>tests/corpus/**/*.json</c> (one scenario per file, see <c>tests/corpus/README.md</c>) and the
/// hand-checked cases in <c>tests/samples/iam-sample-cases.jsonl</c> (the simulator's case schema). A source that is
/// absent is skipped: its benchmark then evaluates nothing and the setup log says so.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class Corpus
{
    private CorpusCase[] _corpus = [];
    private CorpusCase[] _samples = [];

    /// <summary>One compiled request and the decision it must get.</summary>
    private sealed record CorpusCase(string Name, Simulator.CaseInput Input, Decision Expected);

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryRoot();
        _corpus = LoadCorpus(root is null ? null : Path.Combine(root, "tests", "corpus"));
        _samples = LoadSamples(root is null ? null : Path.Combine(root, "tests", "samples", "iam-sample-cases.jsonl"));
        // The shared hand-checked cases are the simulator's acceptance test: any wrong decision stops the benchmark.
        if (Wrong(_samples) is { Count: > 0 } wrong)
            throw new InvalidOperationException($"{wrong.Count} sample case(s) got the wrong decision: {string.Join("; ", wrong.Take(10))}");
        ReportAllocations("tests/corpus", _corpus);
        ReportAllocations("tests/samples", _samples);
    }

    /// <summary>Every request of <c>tests/corpus</c>, once each.</summary>
    [Benchmark]
    public int CorpusFiles() => EvaluateAll(_corpus);

    /// <summary>Every case of <c>tests/samples/iam-sample-cases.jsonl</c>, once each.</summary>
    [Benchmark]
    public int SampleCases() => EvaluateAll(_samples);

    private static int EvaluateAll(CorpusCase[] cases)
    {
        var allowed = 0;
        foreach (var c in cases)
            if (PolicyEvaluator.Evaluate(c.Input.Request, c.Input.Principal, c.Input.Resource, c.Input.Session) == Decision.Allow)
                allowed++;
        return allowed;
    }

    /// <summary>
    /// Reads <c>tests/corpus/**/*.json</c> in the format of <c>tests/corpus/README.md</c> and compiles each policy the
    /// way the corpus tests do (<see cref="Simulator.CompileDocument"/>). A file that does not load is reported and
    /// skipped. A request the engine decides differently from the file is reported and left out of the timed set, so
    /// the benchmark never times a wrong decision while the corpus and the engine are both moving.
    /// </summary>
    private static CorpusCase[] LoadCorpus(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            Console.WriteLine("// tests/corpus: absent, CorpusFiles evaluates nothing");
            return [];
        }
        var cases = new List<CorpusCase>();
        var skipped = new List<string>();
        var files = Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "schema.json")
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(directory, file).Replace('\\', '/');
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                var root = doc.RootElement;
                var policies = root.TryGetProperty("policies", out var p) ? p : default;
                CompiledPolicy Compile(JsonElement policy, PolicyType type) =>
                    Simulator.CompileDocument(policy.GetProperty("document"), type, policy.GetProperty("id").GetString()!);
                IEnumerable<CompiledPolicy> List(string field, PolicyType type) =>
                    policies.ValueKind == JsonValueKind.Object && policies.TryGetProperty(field, out var a)
                        ? a.EnumerateArray().Select(x => Compile(x, type)).ToList() : [];
                ImmutableArray<ImmutableArray<CompiledPolicy>> Levels(string field, PolicyType type) =>
                    policies.ValueKind == JsonValueKind.Object && policies.TryGetProperty(field, out var a)
                        ? [.. a.EnumerateArray().Select(level => level.EnumerateArray().Select(x => Compile(x, type)).ToImmutableArray())]
                        : default;
                CompiledPolicy? One(string field, PolicyType type) =>
                    policies.ValueKind == JsonValueKind.Object && policies.TryGetProperty(field, out var x) ? Compile(x, type) : null;

                var input = (Principal: new PrincipalPolicySet(List("identity", PolicyType.Identity), List("boundaries", PolicyType.PermissionsBoundary),
                        Levels("guardrails", PolicyType.Guardrail)),
                    Resource: new ResourcePolicySet(One("resource", PolicyType.Resource), Levels("resourceGuardrails", PolicyType.ResourceGuardrail)),
                    Session: One("session", PolicyType.Session));

                var i = 0;
                foreach (var r in root.GetProperty("requests").EnumerateArray())
                {
                    var label = $"{name}#{i++}";
                    var context = r.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object
                        ? RequestContext.Create(c.EnumerateObject().Select(kv => new KeyValuePair<string, string[]>(kv.Name, ContextValues(kv.Value))))
                        : RequestContext.Empty;
                    var resourceAccount = r.TryGetProperty("resourceAccount", out var ra) ? ra.GetString() : null;
                    if (!AuthorizationRequest.TryCreate(r.GetProperty("principal").GetString()!, r.GetProperty("action").GetString()!,
                            r.GetProperty("resource").GetString()!, resourceAccount, context, out var request, out var error))
                    {
                        skipped.Add($"{label}: {error}");
                        continue;
                    }
                    cases.Add(new CorpusCase(label, new Simulator.CaseInput(request, input.Principal, input.Resource, input.Session),
                        Enum.Parse<Decision>(r.GetProperty("decision").GetString()!)));
                }
            }
            catch (Exception ex) when (ex is CaseException or JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
            {
                skipped.Add($"{name}: {ex.Message}");
            }
        }
        var wrong = Wrong(cases);
        Console.WriteLine($"// tests/corpus: {files.Count} file(s), {cases.Count - wrong.Count} request(s) timed, " +
            $"{wrong.Count} left out for a wrong decision, {skipped.Count} file(s) or request(s) that do not load");
        foreach (var w in wrong.Concat(skipped).Take(20))
            Console.WriteLine($"//   {w}");
        var wrongNames = wrong.Select(w => w[..w.IndexOf(':')]).ToHashSet(StringComparer.Ordinal);
        return [.. cases.Where(c => !wrongNames.Contains(c.Name))];
    }

    private static string[] ContextValues(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(Scalar)],
        _ => [Scalar(value)],
    };

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };

    /// <summary>
    /// Names the requests whose evaluation allocates (after a warm-up), since a whole-corpus figure cannot say which:
    /// the hot path is meant to allocate nothing.
    /// </summary>
    private static void ReportAllocations(string source, CorpusCase[] cases)
    {
        var allocating = new List<string>();
        foreach (var c in cases)
        {
            for (var i = 0; i < 3; i++)
                PolicyEvaluator.Evaluate(c.Input.Request, c.Input.Principal, c.Input.Resource, c.Input.Session);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
                PolicyEvaluator.Evaluate(c.Input.Request, c.Input.Principal, c.Input.Resource, c.Input.Session);
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
            if (bytes > 0)
                allocating.Add($"{c.Name} ({bytes:0.#} B)");
        }
        Console.WriteLine($"// {source}: {allocating.Count} of {cases.Length} request(s) allocate during evaluation{(allocating.Count > 0 ? ": " + string.Join(", ", allocating.Take(20)) : "")}");
    }

    /// <summary>The cases the engine decides differently from their expectation, as <c>name: actual, expected X</c>.</summary>
    private static List<string> Wrong(IEnumerable<CorpusCase> cases) =>
        [.. cases
            .Select(c => (c.Name, c.Expected, Actual: PolicyEvaluator.Evaluate(c.Input.Request, c.Input.Principal, c.Input.Resource, c.Input.Session)))
            .Where(c => c.Actual != c.Expected)
            .Select(c => $"{c.Name}: engine says {c.Actual}, file says {c.Expected}")];

    /// <summary>Reads the simulator's JSON Lines cases; cases without <c>expected</c> are not benchmarked.</summary>
    private static CorpusCase[] LoadSamples(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            Console.WriteLine("// tests/samples/iam-sample-cases.jsonl: absent, SampleCases evaluates nothing");
            return [];
        }
        var cases = new List<CorpusCase>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("expected", out var expected) || !Enum.TryParse<Decision>(expected.GetString(), out var decision))
                continue;
            var id = root.TryGetProperty("id", out var idElement) ? idElement.ToString() : $"line {lineNumber}";
            cases.Add(new CorpusCase(id, Simulator.ReadCase(root), decision));
        }
        Console.WriteLine($"// tests/samples/iam-sample-cases.jsonl: {cases.Count} case(s)");
        return [.. cases];
    }

    /// <summary>The directory holding Authz.sln, found upwards from the benchmark's output (or AUTHZ_REPO_ROOT).</summary>
    private static string? RepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("AUTHZ_REPO_ROOT") is { Length: > 0 } configured)
            return configured;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Authz.sln")))
                    return dir.FullName;
        return null;
    }
}
