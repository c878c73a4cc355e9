using System.Text;
using System.Text.Json;
using Authz.Cli.Commands;
using Authz.Policy.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace Authz.Policy.Tests.Engine;

/// <summary><c>authz simulate</c>: the hand-checked sample cases, and a long stream with a bad line in the middle.</summary>
public sealed class SimulateCommandTests
{
    private static string RepositoryFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"`{relativePath}` was not found above {AppContext.BaseDirectory}");
    }

    private static List<JsonElement> Simulate(string input)
    {
        using var output = new MemoryStream();
        SimulateCommand.Run(new StringReader(input), output);
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return [.. text.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    [Fact]
    public void Every_sample_case_gets_its_expected_decision_in_input_order()
    {
        var lines = File.ReadAllLines(RepositoryFile(Path.Combine("tests", "samples", "iam-sample-cases.jsonl")))
            .Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
        var cases = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();

        var results = Simulate(string.Join('\n', lines));

        Assert.Equal(cases.Length, results.Count);
        var wrong = new List<string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var id = cases[i].GetProperty("id").GetString();
            Assert.Equal(id, results[i].GetProperty("id").GetString());
            var expected = cases[i].GetProperty("expected").GetString();
            var error = results[i].GetProperty("error");
            var actual = results[i].GetProperty("decision").ValueKind == JsonValueKind.Null ? "null" : results[i].GetProperty("decision").GetString();
            if (actual != expected || error.ValueKind != JsonValueKind.Null)
                wrong.Add($"{id}: expected {expected}, got {actual}{(error.ValueKind == JsonValueKind.Null ? "" : " (" + error.GetString() + ")")} — {cases[i].GetProperty("why").GetString()}");
        }
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void Ten_thousand_generated_cases_stream_through_and_a_malformed_line_does_not_stop_the_run()
    {
        const int count = 10_000;
        const int badAt = count / 2;
        var cases = CaseGenerators.Case.Sample(count, size: 10, seed: new Rnd(20240301UL));
        var input = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i == badAt)
                input.Append("{\"id\": \"bad\", \"principal\": ").Append('\n');  // malformed: cut short
            input.Append(cases[i].ToJsonLine(id: $"case-{i}")).Append('\n');
            if (i % 1000 == 0)
                input.Append("   \n");                                          // blank lines are skipped
        }

        var results = Simulate(input.ToString());

        Assert.Equal(count + 1, results.Count);
        var bad = results[badAt];
        Assert.Equal(JsonValueKind.Null, bad.GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.Null, bad.GetProperty("decision").ValueKind);
        Assert.StartsWith("malformed case", bad.GetProperty("error").GetString(), StringComparison.Ordinal);

        var rest = results.Where((_, i) => i != badAt).ToList();
        for (var i = 0; i < count; i++)
        {
            Assert.Equal($"case-{i}", rest[i].GetProperty("id").GetString());
            Assert.True(rest[i].GetProperty("error").ValueKind == JsonValueKind.Null, rest[i].GetProperty("error").ToString());
            Assert.Contains(rest[i].GetProperty("decision").GetString(), (string[])["Allow", "ExplicitDeny", "ImplicitDeny"]);
        }
    }

    [Fact]
    public void A_case_that_cannot_be_evaluated_gets_an_error_line_with_its_id()
    {
        var results = Simulate("""
            {"id": 1, "principal": "bob", "action": "s3:GetObject", "resource": "*"}
            {"id": {"n": 2}, "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*", "identityPolicies": [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"k": "v"}}}}]}
            {"id": [3], "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*", "extra": true}
            {"id": "4", "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*", "identityPolicies": [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}]}
            """);

        Assert.Equal(["1", "{\"n\":2}", "[3]", "\"4\""], results.Select(r => r.GetProperty("id").GetRawText()));
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.String], results.Select(r => r.GetProperty("decision").ValueKind));
        Assert.Equal("invalid principal `bob`: expected an IAM or STS ARN, a service principal or `anonymous`", results[0].GetProperty("error").GetString());
        Assert.Equal("identity[0]: statement[0].Condition: unknown operator `StringEqualz` (line 1, column 81)", results[1].GetProperty("error").GetString());
        Assert.Equal("unknown field `extra`", results[2].GetProperty("error").GetString());
        Assert.Equal("Allow", results[3].GetProperty("decision").GetString());
    }
}
