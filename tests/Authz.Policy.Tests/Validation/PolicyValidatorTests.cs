using System.Text.RegularExpressions;
using Authz.Policy.Compilation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;
using Authz.Policy.Validation;
using static Authz.Policy.Tests.Validation.Policies;

namespace Authz.Policy.Tests.Validation;

public class PolicyValidatorTests
{
    [Theory]
    [MemberData(nameof(CheckCases.All), MemberType = typeof(CheckCases))]
    public void Check_reports_exactly_when_expected(string code, bool expected, PolicyType type, string json)
    {
        var diagnostics = PolicyValidator.Validate(json, type);

        Assert.DoesNotContain(diagnostics, d => d.Code == PolicyParser.Codes.MalformedJson);
        var found = diagnostics.Where(d => d.Code == code).ToList();
        if (expected)
            Assert.True(found.Count > 0, $"expected {code}, got: {string.Join(" | ", diagnostics.Select(d => d.Code + " " + d))}");
        else
            Assert.True(found.Count == 0, $"unexpected: {string.Join(" | ", found)}");
    }

    [Theory]
    [MemberData(nameof(CheckCases.All), MemberType = typeof(CheckCases))]
    public void Every_finding_is_located_and_written_in_house_style(string code, bool expected, PolicyType type, string json)
    {
        _ = (code, expected);
        foreach (var d in PolicyValidator.Validate(json, type).Where(d => d.Code.StartsWith("AUTHZ2", StringComparison.Ordinal)))
        {
            Assert.True(d.Location.Line > 0 && d.Location.Column > 0, $"{d.Code} has no position");
            if (d.Code != "AUTHZ2001")
                Assert.StartsWith("statement[", d.Location.Path);
            Assert.False(d.Message.EndsWith('.'), $"{d.Code}: message ends with a period: {d.Message}");
            Assert.False(char.IsUpper(d.Message[0]), $"{d.Code}: message starts with a capital: {d.Message}");
            Assert.Equal(PolicyValidator.Rules.Single(r => r.Id == d.Code).Severity, d.Severity);
        }
    }

    [Fact]
    public void Every_rule_has_a_positive_and_a_negative_case()
    {
        var cases = CheckCases.All.Select(row => ((string)row[0], (bool)row[1])).ToHashSet();
        foreach (var rule in PolicyValidator.Rules)
        {
            Assert.Contains((rule.Id, true), cases);
            Assert.Contains((rule.Id, false), cases);
        }
    }

    [Fact]
    public void Rule_ids_and_severities_are_stable()
    {
        // Clients and suppressions depend on these: changing an id or a severity is a breaking change.
        var expected = new Dictionary<string, Severity>
        {
            ["AUTHZ2001"] = Severity.Warning, ["AUTHZ2002"] = Severity.Warning, ["AUTHZ2003"] = Severity.Error,
            ["AUTHZ2004"] = Severity.Warning, ["AUTHZ2005"] = Severity.Suggestion,
            ["AUTHZ2010"] = Severity.SecurityWarning, ["AUTHZ2011"] = Severity.Error, ["AUTHZ2012"] = Severity.Suggestion,
            ["AUTHZ2013"] = Severity.Suggestion, ["AUTHZ2014"] = Severity.SecurityWarning, ["AUTHZ2015"] = Severity.Error,
            ["AUTHZ2020"] = Severity.SecurityWarning, ["AUTHZ2021"] = Severity.Error, ["AUTHZ2022"] = Severity.Error,
            ["AUTHZ2023"] = Severity.Warning, ["AUTHZ2024"] = Severity.Suggestion,
            ["AUTHZ2030"] = Severity.SecurityWarning, ["AUTHZ2031"] = Severity.SecurityWarning, ["AUTHZ2032"] = Severity.Warning,
            ["AUTHZ2033"] = Severity.Error, ["AUTHZ2034"] = Severity.Warning,
            ["AUTHZ2040"] = Severity.SecurityWarning, ["AUTHZ2041"] = Severity.Warning, ["AUTHZ2042"] = Severity.Warning,
            ["AUTHZ2043"] = Severity.Error, ["AUTHZ2044"] = Severity.Error, ["AUTHZ2045"] = Severity.Error,
            ["AUTHZ2046"] = Severity.Error, ["AUTHZ2047"] = Severity.Error, ["AUTHZ2048"] = Severity.Error,
            ["AUTHZ2049"] = Severity.Error, ["AUTHZ2050"] = Severity.Suggestion, ["AUTHZ2051"] = Severity.Warning,
            ["AUTHZ2052"] = Severity.Warning, ["AUTHZ2053"] = Severity.Warning, ["AUTHZ2054"] = Severity.Error,
            ["AUTHZ2055"] = Severity.Suggestion, ["AUTHZ2056"] = Severity.Warning, ["AUTHZ2057"] = Severity.Error,
            ["AUTHZ2060"] = Severity.Suggestion, ["AUTHZ2061"] = Severity.Warning, ["AUTHZ2062"] = Severity.Warning,
        };
        Assert.Equal(expected, PolicyValidator.Rules.ToDictionary(r => r.Id, r => r.Severity));
        Assert.All(PolicyValidator.Rules, r => Assert.Matches(new Regex("^[a-z`]"), r.Title));
    }

    [Theory]
    [InlineData("'IpAddress':{'aws:SourceIp':'10.0.0.300/8'}", "AUTHZ2043")]
    [InlineData("'IpAddress':{'aws:SourceIp':10}", "AUTHZ2043")]
    [InlineData("'DateLessThan':{'aws:CurrentTime':'soon'}", "AUTHZ2044")]
    [InlineData("'NumericEquals':{'aws:MultiFactorAuthAge':true}", "AUTHZ2045")]
    [InlineData("'Bool':{'aws:SecureTransport':'yes'}", "AUTHZ2046")]
    [InlineData("'Null':{'aws:SourceVpc':'no'}", "AUTHZ2047")]
    [InlineData("'BinaryEquals':{'s3:x':'%%'}", "AUTHZ2048")]
    [InlineData("'NumericLessThan':{'aws:MultiFactorAuthAge':'${aws:EpochTime}'}", "AUTHZ2049")]
    public void A_bad_typed_value_is_reported_once_by_the_validator_not_twice(string condition, string code)
    {
        var json = Doc(Cond(condition));
        var compiler = PolicyCompiler.ParseAndCompile(json, PolicyType.Identity, "p");
        var compilerError = Assert.Single(compiler.Diagnostics, d => d.Code == PolicyCompiler.Codes.InvalidConditionValue);

        var diagnostics = PolicyValidator.Validate(json, PolicyType.Identity);

        Assert.DoesNotContain(diagnostics, d => d.Code == PolicyCompiler.Codes.InvalidConditionValue);
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        var finding = Assert.Single(errors);
        Assert.Equal(code, finding.Code);
        Assert.Equal(compilerError.Location, finding.Location);
    }

    [Theory]
    [InlineData("IpAddress", "aws:SourceIp", new[] { "10.0.0.0/8", "::1", "1.2.3.4/0", "1.2.3", "01.2.3.4", "fe80::1%eth0", "1.2.3.4/", "" })]
    [InlineData("DateEquals", "aws:CurrentTime", new[] { "2024-02-29", "2023-02-29", "20240131T120000Z", "-1", "2024-01-31T25:00:00Z", "99999999999999" })]
    [InlineData("NumericEquals", "aws:MultiFactorAuthAge", new[] { "1e3", "+5", ".5", "0x10", "NaN", "1_000" })]
    [InlineData("Bool", "aws:SecureTransport", new[] { "True", "false", "0", "" })]
    public void Typed_value_checks_agree_with_the_compiler(string op, string key, string[] values)
    {
        // The validator owns these messages, so it must reject exactly what the compiler rejects.
        foreach (var value in values)
        {
            var json = Doc(Cond($"'{op}':{{'{key}':'{value}'}}"));
            var compilerRejects = PolicyCompiler.ParseAndCompile(json, PolicyType.Identity, "p").Diagnostics
                .Any(d => d.Code == PolicyCompiler.Codes.InvalidConditionValue);
            var validatorRejects = PolicyValidator.Validate(json, PolicyType.Identity).Any(d => d.Severity == Severity.Error);
            Assert.True(compilerRejects == validatorRejects, $"`{value}` under {op}: compiler {compilerRejects}, validator {validatorRejects}");
        }
    }

    [Fact]
    public void Compiler_errors_the_validator_does_not_own_are_kept_once()
    {
        var json = Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:root'}"));

        var diagnostics = PolicyValidator.Validate(json, PolicyType.Identity);

        var error = Assert.Single(diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(PolicyCompiler.Codes.PrincipalNotAllowed, error.Code);
        Assert.Equal("statement[0].Principal", error.Location.Path);
    }

    [Fact]
    public void A_resource_policy_statement_without_principal_is_the_compilers_error()
    {
        var diagnostics = PolicyValidator.Validate(Doc(Stmt()), PolicyType.Resource);

        Assert.Single(diagnostics, d => d.Code == PolicyCompiler.Codes.PrincipalRequired);
    }

    [Theory]
    [InlineData("'NullIfExists':{'aws:SourceVpc':'true'}", "AUTHZ0008")]
    [InlineData("'ForAllValues:Null':{'aws:TagKeys':'true'}", "AUTHZ0008")]
    [InlineData("'StringEquals':{}", "AUTHZ0007")]
    public void Rules_the_parser_enforces_keep_the_parsers_code(string condition, string code)
    {
        var diagnostics = PolicyValidator.Validate(Doc(Cond(condition)), PolicyType.Identity);

        var error = Assert.Single(diagnostics);
        Assert.Equal(code, error.Code);
        Assert.Equal(Severity.Error, error.Severity);
    }

    [Fact]
    public void Diagnostics_are_sorted_by_position()
    {
        var json = NoVersion(
            Stmt(action: "'GetObject'", resource: "'bucket'", extra: "'Sid':'A b'"),
            Cond("'IpAddress':{'aws:SourceIp':'300.0.0.1'}"),
            Stmt(action: "'iam:PassRole'", resource: "'*'"));

        var diagnostics = PolicyValidator.Validate(json, PolicyType.Identity);

        Assert.True(diagnostics.Length >= 5);
        var positions = diagnostics.Select(d => (d.Location.Line, d.Location.Column)).ToList();
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Findings_point_at_the_offending_value()
    {
        var json = """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "GetObject"],
                  "Resource": "*",
                  "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "203.0.113.0/33"]}}
                }
              ]
            }
            """;

        var diagnostics = PolicyValidator.Validate(json, PolicyType.Identity);

        var action = Assert.Single(diagnostics, d => d.Code == "AUTHZ2011");
        Assert.Equal(new SourceLocation("statement[0].Action[1]", 6, 34), action.Location);
        Assert.Equal("statement[0].Action[1]: `GetObject` can match no action: it has no service prefix; write it as `service:Action` (line 6, column 34)", action.ToString());
        var cidr = Assert.Single(diagnostics, d => d.Code == "AUTHZ2043");
        Assert.Equal(new SourceLocation("statement[0].Condition.IpAddress.aws:SourceIp[1]", 8, 70), cidr.Location);
    }

    [Fact]
    public void A_document_that_does_not_parse_yields_only_parser_diagnostics()
    {
        var diagnostics = PolicyValidator.Validate("{\"Statement\": [", PolicyType.Identity);

        var error = Assert.Single(diagnostics);
        Assert.Equal(PolicyParser.Codes.MalformedJson, error.Code);
    }

    [Fact]
    public void Validating_a_document_runs_the_checks_alone()
    {
        var parsed = PolicyParser.Parse(NoVersion(Res("'Principal':'*'", action: "'GetObject'")));

        var diagnostics = PolicyValidator.Validate(parsed.Document!, PolicyType.Identity);

        Assert.All(diagnostics, d => Assert.StartsWith("AUTHZ2", d.Code));
        Assert.Contains(diagnostics, d => d.Code == "AUTHZ2001");
        Assert.Contains(diagnostics, d => d.Code == "AUTHZ2011");
    }

    [Fact]
    public void A_clean_policy_has_no_findings()
    {
        var json = Doc(
            Stmt(action: "['s3:GetObject','s3:PutObject']", resource: "'arn:aws:s3:::bucket/home/${aws:username}/*'", extra: "'Sid':'OwnHome'"),
            Cond("'Bool':{'aws:MultiFactorAuthPresent':'false'}", effect: "Deny").Replace("s3:GetObject", "s3:DeleteObject"));

        Assert.Empty(PolicyValidator.Validate(json, PolicyType.Identity));
    }

    [Fact]
    public void Unknown_key_hint_names_the_closest_documented_key()
    {
        var diagnostics = PolicyValidator.Validate(Doc(Cond("'StringEquals':{'aws:PrincipleOrgID':'o-1'}")), PolicyType.Identity);

        var finding = Assert.Single(diagnostics, d => d.Code == "AUTHZ2053");
        Assert.EndsWith("did you mean `aws:PrincipalOrgID`?", finding.Message);
    }

    [Fact]
    public void Host_bits_finding_suggests_the_network_address()
    {
        var diagnostics = PolicyValidator.Validate(Doc(Cond("'IpAddress':{'aws:SourceIp':['203.0.113.77/24','2001:db8::1/32']}")), PolicyType.Identity);

        var messages = diagnostics.Where(d => d.Code == "AUTHZ2055").Select(d => d.Message).ToList();
        Assert.Contains(messages, m => m.Contains("write `203.0.113.0/24`", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("write `2001:db8::/32`", StringComparison.Ordinal));
    }

    [Fact]
    public void Covered_statement_names_the_statement_that_covers_it()
    {
        var diagnostics = PolicyValidator.Validate(Doc(Stmt(), Stmt(action: "'s3:*'", resource: "'*'")), PolicyType.Identity);

        var finding = Assert.Single(diagnostics, d => d.Code == "AUTHZ2061");
        Assert.Equal("statement[0]", finding.Location.Path);
        Assert.StartsWith("statement[1] already allows", finding.Message);
    }
}
