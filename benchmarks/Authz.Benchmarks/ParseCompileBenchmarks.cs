using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Authz.Policy.Compilation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Benchmarks;

/// <summary>
/// The admin write path for one policy close to AWS's 6,144 non-whitespace-character limit
/// (<c>Scenarios/parse-compile-6kb.json</c>: 25 statements of the ML role's policies), with the strict options new
/// writes use, as the file is written (pretty, 2-space indent) and minified to one line, the way API clients and
/// <c>aws iam get-policy-version</c> output usually send it. It runs once per write, not per check, so it allocates
/// by design.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ParseAndCompile
{
    private string _json = null!;
    private PolicyDocument _document = null!;

    /// <summary>The document's layout: <c>pretty</c> as checked in, or <c>minified</c> to a single line.</summary>
    [Params("pretty", "minified")]
    public string Layout { get; set; } = "pretty";

    [GlobalSetup]
    public void Setup()
    {
        _json = File.ReadAllText(Path.Combine(Scenario.ScenarioDirectory, "parse-compile-6kb.json"));
        if (Layout == "minified")
            _json = JsonNode.Parse(_json)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var characters = _json.Count(c => !char.IsWhiteSpace(c));
        if (characters is < 5_900 or > 6_144)
            throw new InvalidOperationException($"parse-compile-6kb.json has {characters} non-whitespace characters; keep it between 5,900 and 6,144");
        var result = PolicyCompiler.ParseAndCompile(_json, PolicyType.Identity, "ml-platform-engineer", "v1", ParseOptions.StrictDefault);
        if (result.Policy is null || result.Diagnostics.Any(d => d.Severity == Severity.Error))
            throw new InvalidOperationException($"parse-compile-6kb.json does not compile strictly: {result.FirstError}");
        if (result.Policy.Statements.Length != 25)
            throw new InvalidOperationException($"parse-compile-6kb.json compiled to {result.Policy.Statements.Length} statements, expected 25");
        _document = PolicyParser.Parse(_json, ParseOptions.StrictDefault).Document!;
        Console.WriteLine($"// parse-compile-6kb.json ({Layout}): {_json.Length:N0} characters, {characters:N0} non-whitespace, 25 statements");
    }

    /// <summary>JSON text to a validated <see cref="PolicyDocument"/>.</summary>
    [Benchmark]
    public PolicyDocument? Parse() => PolicyParser.Parse(_json, ParseOptions.StrictDefault).Document;

    /// <summary>A parsed document to a <see cref="CompiledPolicy"/> (matchers, condition values, action index).</summary>
    [Benchmark]
    public CompiledPolicy? Compile() => PolicyCompiler.Compile(_document, PolicyType.Identity, "ml-platform-engineer", "v1").Policy;

    /// <summary>Both, as an admin write pays them.</summary>
    [Benchmark(Baseline = true)]
    public CompiledPolicy? ParseThenCompile() =>
        PolicyCompiler.ParseAndCompile(_json, PolicyType.Identity, "ml-platform-engineer", "v1", ParseOptions.StrictDefault).Policy;
}
