using System.CommandLine;
using System.Text.Json;
using Authz.Cli.Commands;
using Authz.Policy.Model;
using static Authz.Policy.Tests.Validation.Policies;

namespace Authz.Policy.Tests.Validation;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("authz-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int Code, string Output, string Error) Run(IReadOnlyList<string> files, PolicyType type = PolicyType.Identity,
        ValidateCommand.OutputFormat format = ValidateCommand.OutputFormat.Text)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ValidateCommand.Run(files, type, format, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>authz ARGS</c> through System.CommandLine, as Program.cs does, with captured output.</summary>
    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand { ValidateCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Text_output_has_one_line_per_finding_with_file_line_column_severity_and_code()
    {
        var file = Write("policy.json", """
            {
              "Version": "2012-10-17",
              "Statement": {"Effect": "Allow", "Action": "GetObject", "Resource": "*"}
            }
            """);

        var (code, output, error) = Run([file]);

        Assert.Equal(1, code);
        Assert.Equal("", error);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"{file}:3:46: ERROR AUTHZ2011 statement[0].Action: `GetObject` can match no action: it has no service prefix; write it as `service:Action`",
            line);
    }

    [Fact]
    public void Warnings_alone_exit_zero()
    {
        var file = Write("legacy.json", NoVersion(Stmt()));

        var (code, output, _) = Run([file]);

        Assert.Equal(0, code);
        Assert.StartsWith($"{file}:1:1: WARNING AUTHZ2001 missing `Version`", output);
    }

    [Fact]
    public void A_clean_file_prints_nothing_and_exits_zero()
    {
        var (code, output, error) = Run([Write("clean.json", Doc(Stmt()))]);

        Assert.Equal((0, "", ""), (code, output, error));
    }

    [Fact]
    public void Security_warnings_and_suggestions_are_named_as_access_analyzer_names_them()
    {
        var file = Write("s.json", Doc(Stmt(action: "['iam:PassRole','iam:Pass*']", resource: "'*'")));

        var (code, output, _) = Run([file]);

        Assert.Equal(0, code);
        Assert.Contains(": SECURITY_WARNING AUTHZ2014 statement[0].Resource: ", output);
        Assert.Contains(": SUGGESTION AUTHZ2013 statement[0].Action[0]: ", output);
    }

    [Fact]
    public void The_policy_type_changes_what_is_valid()
    {
        var file = Write("bucket.json", Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:root'}")));

        Assert.Equal(1, Run([file], PolicyType.Identity).Code);
        Assert.Equal(0, Run([file], PolicyType.Resource).Code);
    }

    [Fact]
    public void An_unreadable_file_exits_two_and_the_others_are_still_checked()
    {
        var bad = Write("bad.json", Doc(Stmt(action: "'GetObject'")));
        var missing = Path.Combine(_dir, "missing.json");

        var (code, output, error) = Run([missing, bad, _dir]);

        Assert.Equal(2, code);
        Assert.Contains($"error: cannot read `{missing}`: no such file", error);
        Assert.Contains($"error: cannot read `{_dir}`", error);
        Assert.Contains($"{bad}:1:", output);
    }

    [Fact]
    public void Invalid_json_and_invalid_utf8_are_reported_as_findings()
    {
        var json = Write("broken.json", "{\"Statement\": [}");
        var utf8 = Path.Combine(_dir, "latin1.json");
        File.WriteAllBytes(utf8, [.. "{\"Statement\":{\"Sid\":\""u8, 0xE9, .. "\"}}"u8]);

        var (code, output, _) = Run([json, utf8]);

        Assert.Equal(1, code);
        Assert.Contains($"{json}:1:", output);
        Assert.Contains($"{utf8}:1:", output);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("ERROR AUTHZ0001", output);
    }

    [Fact]
    public void Json_output_is_an_array_of_findings()
    {
        var a = Write("a.json", Doc(Stmt(action: "'GetObject'")));
        var b = Write("b.json", NoVersion(Stmt()));

        var (code, output, _) = Run([a, b], format: ValidateCommand.OutputFormat.Json);

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        var findings = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, findings.Count);
        var first = findings[0];
        Assert.Equal(a, first.GetProperty("file").GetString());
        Assert.Equal(1, first.GetProperty("line").GetInt32());
        Assert.True(first.GetProperty("column").GetInt32() > 1);
        Assert.Equal("ERROR", first.GetProperty("severity").GetString());
        Assert.Equal("AUTHZ2011", first.GetProperty("code").GetString());
        Assert.Equal("statement[0].Action", first.GetProperty("path").GetString());
        Assert.StartsWith("`GetObject`", first.GetProperty("message").GetString());
        Assert.Equal("WARNING", findings[1].GetProperty("severity").GetString());
    }

    [Fact]
    public void Json_output_for_no_findings_is_an_empty_array()
    {
        var (code, output, _) = Run([Write("clean.json", Doc(Stmt()))], format: ValidateCommand.OutputFormat.Json);

        Assert.Equal(0, code);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetArrayLength());
    }

    [Fact]
    public void Command_line_options_reach_the_validator()
    {
        var file = Write("trust.json", Doc("{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'sts:AssumeRole'}"));

        var (code, output, _) = Invoke("validate", "--type", "trust", "--format", "json", file);

        Assert.Equal(0, code);
        var finding = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal("AUTHZ2030", finding.GetProperty("code").GetString());
        Assert.Equal("SECURITY_WARNING", finding.GetProperty("severity").GetString());
    }

    [Fact]
    public void Identity_is_the_default_type_and_text_the_default_format()
    {
        var file = Write("trust.json", Doc("{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'sts:AssumeRole'}"));

        var (code, output, _) = Invoke("validate", file);

        Assert.Equal(1, code);
        Assert.Contains(": ERROR AUTHZ0102 ", output);
    }

    [Theory]
    [InlineData("identity", PolicyType.Identity)]
    [InlineData("resource", PolicyType.Resource)]
    [InlineData("trust", PolicyType.Trust)]
    [InlineData("boundary", PolicyType.PermissionsBoundary)]
    [InlineData("guardrail", PolicyType.Guardrail)]
    [InlineData("resource-guardrail", PolicyType.ResourceGuardrail)]
    [InlineData("session", PolicyType.Session)]
    public void Every_policy_type_has_a_name(string name, PolicyType type) =>
        Assert.Equal(type, ValidateCommand.TypeNames[name]);

    [Fact]
    public void An_unknown_type_or_no_file_is_a_usage_error()
    {
        var file = Write("p.json", Doc(Stmt()));

        Assert.NotEqual(0, Invoke("validate", "--type", "bucket", file).Code);
        Assert.NotEqual(0, Invoke("validate").Code);
        Assert.NotEqual(0, Invoke("validate", "--format", "xml", file).Code);
    }
}
