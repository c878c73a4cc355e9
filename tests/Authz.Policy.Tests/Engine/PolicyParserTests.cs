using System.Text;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Tests.Engine;

/// <summary>Parser errors: Cedar-style messages with JSON path, line and column; limits; strict and lenient modes.</summary>
public sealed class PolicyParserTests
{
    private static Diagnostic SingleError(ParseResult result)
    {
        Assert.Null(result.Document);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Unknown_operator_is_reported_with_path_line_and_column()
    {
        const string json = """
            {
              "Version": "2012-10-17",
              "Statement": [{
                "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"
              }, {
                "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {
                  "StringEquals": {"aws:username": "alice"},
                  "StringEqualz": {"aws:username": "alice"}
                }
              }]
            }
            """;

        var error = SingleError(PolicyParser.Parse(json));

        Assert.Equal("statement[1].Condition: unknown operator `StringEqualz` (line 9, column 7)", error.ToString());
        Assert.Equal(PolicyParser.Codes.UnknownOperator, error.Code);
        Assert.Equal(new SourceLocation("statement[1].Condition", 9, 7), error.Location);
    }

    [Fact]
    public void Every_error_in_a_document_is_reported_not_only_the_first()
    {
        const string json = """
            {"Statement": [
              {"Effect": "allow", "Action": "s3:GetObject"},
              {"Effect": "Deny", "Action": [], "Resource": "*"},
              {"Effect": "Deny", "Action": "*", "NotAction": "s3:*"}
            ]}
            """;

        var errors = PolicyParser.Parse(json).Errors.Select(e => e.ToString()).ToArray();

        Assert.Equal(
        [
            "statement[0].Effect: invalid effect `allow`; expected `Allow` or `Deny` (line 2, column 14)",
            "statement[1].Action: array must not be empty (line 3, column 32)",
            "statement[2]: `NotAction` cannot be combined with `Action` (line 4, column 37)",
        ], errors);
    }

    [Theory]
    [InlineData("""{"Statement": {"Action": "*"}}""", "statement[0]: missing required element `Effect` (line 1, column 15)")]
    [InlineData("""{"Statement": {"Effect": "Allow"}}""", "statement[0]: missing required element `Action` or `NotAction` (line 1, column 15)")]
    [InlineData("""{"Version": "2012-10-17"}""", "missing required element `Statement` (line 1, column 1)")]
    [InlineData("""{"Version": "2019-01-01", "Statement": {"Effect": "Allow", "Action": "*"}}""", "Version: unsupported version `2019-01-01`; use `2012-10-17` (line 1, column 13)")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "alice"}}""", "statement[0].Principal: a string principal must be `*`; name principals as {\"AWS\": \"alice\"} (line 1, column 63)")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Null": {"k": [{}]}}}}""", "statement[0].Condition.Null.k[0]: condition value must be a string, number or boolean, not an object (line 1, column 79)")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NullIfExists": {"k": "true"}}}}""", "statement[0].Condition: operator `NullIfExists`: `Null` cannot take the `IfExists` suffix (line 1, column 64)")]
    [InlineData("[]", "policy document must be a JSON object, not an array (line 1, column 1)")]
    public void Grammar_errors_are_located(string json, string expected)
    {
        Assert.Equal(expected, SingleError(PolicyParser.Parse(json)).ToString());
    }

    [Fact]
    public void Duplicate_keys_are_an_error_at_the_second_key()
    {
        const string json = """
            {"Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Effect": "Deny"
            }}
            """;

        var strict = SingleError(PolicyParser.Parse(json));
        var lenient = SingleError(PolicyParser.Parse(json, ParseOptions.Lenient));

        Assert.Equal(PolicyParser.Codes.MalformedJson, strict.Code);
        Assert.Equal("duplicate key `Effect`", strict.Message);
        Assert.Equal((4, 5), (strict.Location.Line, strict.Location.Column));
        Assert.Equal(strict, lenient);
    }

    [Fact]
    public void Duplicate_keys_are_reported_with_the_json_path_of_their_object()
    {
        // STYLE.md item 8 and issue 2: errors carry a JSON path, a line and a column.
        const string json = """
            {"Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Effect": "Deny"
            }}
            """;

        Assert.Equal("statement[0]: duplicate key `Effect` (line 4, column 5)", SingleError(PolicyParser.Parse(json)).ToString());
    }

    [Fact]
    public void Duplicate_keys_are_found_at_any_depth_and_compare_case_sensitively()
    {
        const string nested = """{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"k": "a", "k": "b"}}}}""";
        const string differentCase = """{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"k": "a", "K": "b"}}}}""";

        Assert.Equal("duplicate key `k`", SingleError(PolicyParser.Parse(nested)).Message);
        Assert.True(PolicyParser.Parse(differentCase).Success);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_located_at_the_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"Statement\": {\n  \"Sid\": \"é?\", \"Effect\": \"Allow\", \"Action\": \"*\"}}");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;

        var error = SingleError(PolicyParser.Parse(bytes));

        Assert.Equal(PolicyParser.Codes.MalformedJson, error.Code);
        Assert.Equal("document is not valid UTF-8 (line 2, column 12)", error.ToString());
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 })]             // truncated two-byte sequence
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })]       // overlong '/'
    public void Every_kind_of_invalid_utf8_is_rejected(byte[] bad)
    {
        var bytes = Encoding.UTF8.GetBytes("{\"Id\": \"").Concat(bad).Concat(Encoding.UTF8.GetBytes("\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\"}}")).ToArray();

        Assert.Equal("document is not valid UTF-8 (line 1, column 9)", SingleError(PolicyParser.Parse(bytes)).ToString());
    }

    [Fact]
    public void A_leading_byte_order_mark_is_accepted()
    {
        // Engine bug: JsonTree.Parse means to skip a BOM with `utf8.StartsWith("\xEF\xBB\xBF"u8)`, but a u8 literal
        // encodes the characters U+00EF U+00BB U+00BF (C3 AF C2 BB C2 BF), so a real BOM (EF BB BF) reaches the JSON
        // reader and the document is rejected as malformed.
        var json = """{"Statement": {"Effect": "Allow", "Action": "*"}}""";
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(json)).ToArray();

        var fromBytes = PolicyParser.Parse(bytes);
        var fromString = PolicyParser.Parse("\uFEFF" + json);

        Assert.True(fromBytes.Success, string.Join("; ", fromBytes.Diagnostics));
        Assert.True(fromString.Success, string.Join("; ", fromString.Diagnostics));
    }

    /// <summary>
    /// A valid document with exactly <paramref name="nonWhitespace"/> non-whitespace characters: an Action list of
    /// <c>é</c> values (two UTF-8 bytes each, one character) separated by whitespace, which is not counted.
    /// </summary>
    private static string DocumentOfSize(int nonWhitespace)
    {
        const string head = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [";
        const string tail = "]}}";
        var remaining = nonWhitespace - (head + tail).Count(c => !char.IsWhiteSpace(c));
        // One value of 1 to 4 characters, then values "é" that cost four characters each with their comma.
        var extra = (remaining - 3) / 4;
        var first = new string('é', remaining - 2 - 4 * extra);
        var json = head + "\"" + first + "\"" + string.Concat(Enumerable.Repeat(",\n  \"é\"", extra)) + tail;
        Assert.Equal(nonWhitespace, json.Count(c => !char.IsWhiteSpace(c)));
        return json;
    }

    [Fact]
    public void Size_limit_counts_non_whitespace_characters_up_to_6144()
    {
        var atLimit = DocumentOfSize(6144);
        var overLimit = DocumentOfSize(6145);

        Assert.True(PolicyParser.Parse(atLimit).Success);
        var error = SingleError(PolicyParser.Parse(overLimit));
        Assert.Equal(PolicyParser.Codes.TooLarge, error.Code);
        Assert.Equal("document has 6145 non-whitespace characters, more than the limit of 6144 (line 1, column 1)", error.ToString());
    }

    [Fact]
    public void Size_limit_is_configurable_and_not_enforced_when_loading_stored_documents()
    {
        var doc = DocumentOfSize(200);

        Assert.True(PolicyParser.Parse(doc, new ParseOptions { MaxDocumentCharacters = 200 }).Success);
        Assert.Equal("document has 200 non-whitespace characters, more than the limit of 199",
            SingleError(PolicyParser.Parse(doc, new ParseOptions { MaxDocumentCharacters = 199 })).Message);
        Assert.True(PolicyParser.Parse(DocumentOfSize(10_000), ParseOptions.Lenient).Success);
        Assert.True(PolicyParser.Parse(DocumentOfSize(10_000), new ParseOptions { MaxDocumentCharacters = null }).Success);
    }

    private static string Statements(int count) =>
        "{\"Statement\": [" + string.Join(",", Enumerable.Repeat("""{"Effect":"Allow","Action":"*"}""", count)) + "]}";

    [Fact]
    public void Statement_count_is_limited()
    {
        var options = ParseOptions.StrictDefault with { MaxDocumentCharacters = null };

        Assert.True(PolicyParser.Parse(Statements(100), options).Success);
        var error = SingleError(PolicyParser.Parse(Statements(101), options));
        Assert.Equal(PolicyParser.Codes.LimitExceeded, error.Code);
        Assert.Equal("Statement: 101 statements exceed the limit of 100 (line 1, column 15)", error.ToString());
        Assert.Equal("3 statements exceed the limit of 2", SingleError(PolicyParser.Parse(Statements(3), new ParseOptions { MaxStatements = 2 })).Message);
    }

    [Fact]
    public void Empty_statement_array_is_an_error()
    {
        Assert.Equal("Statement: `Statement` must contain at least one statement (line 1, column 15)", SingleError(PolicyParser.Parse("""{"Statement": []}""")).ToString());
    }

    private static string NestedConditionValue(int arrays) =>
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"StringEquals\": {\"k\": "
        + new string('[', arrays) + "\"v\"" + new string(']', arrays) + "}}}}";

    [Fact]
    public void Nesting_depth_is_limited()
    {
        // The document, Statement, Condition and operator objects are four levels; each array adds one, so the
        // ninth array is level 13, one past the limit.
        var error = SingleError(PolicyParser.Parse(NestedConditionValue(20)));

        Assert.Equal(PolicyParser.Codes.MalformedJson, error.Code);
        Assert.Equal("statement[0].Condition.StringEquals.k[0][0][0][0][0][0][0][0]: nesting exceeds the maximum depth of 12 (line 1, column 94)", error.ToString());
        Assert.Equal("nesting exceeds the maximum depth of 6", SingleError(PolicyParser.Parse(NestedConditionValue(3), new ParseOptions { MaxDepth = 6 })).Message);
        // Within the limit the depth is fine; the nested array is then a grammar error, not a depth error.
        Assert.StartsWith("statement[0].Condition.StringEquals.k[0]: condition value must be", SingleError(PolicyParser.Parse(NestedConditionValue(2))).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_mode_rejects_unknown_elements_and_lenient_mode_warns()
    {
        const string json = """
            {"Version": "2012-10-17", "Comment": "x",
             "Statement": {"Effect": "Allow", "Actions": "s3:GetObject", "Action": "s3:GetObject"}}
            """;

        var strict = PolicyParser.Parse(json);
        var lenient = PolicyParser.Parse(json, ParseOptions.Lenient);

        Assert.Null(strict.Document);
        Assert.Equal(
        [
            "unknown element `Comment`; expected one of Version, Id, Statement (line 1, column 27)",
            "statement[0]: unknown element `Actions`; expected one of Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition (line 2, column 35)",
        ], strict.Errors.Select(e => e.ToString()));
        Assert.All(strict.Diagnostics, d => Assert.Equal(PolicyParser.Codes.UnknownElement, d.Code));

        Assert.NotNull(lenient.Document);
        Assert.Empty(lenient.Errors);
        Assert.Equal(strict.Diagnostics.Select(d => d.ToString()), lenient.Diagnostics.Select(d => d.ToString()));
        Assert.All(lenient.Diagnostics, d => Assert.Equal(Severity.Warning, d.Severity));
        Assert.Equal("s3:GetObject", lenient.Document.Statements[0].Action.Values[0].Value);
    }

    [Fact]
    public void Lenient_mode_still_rejects_grammar_errors()
    {
        Assert.Equal("statement[0]: missing required element `Effect` (line 1, column 15)",
            SingleError(PolicyParser.Parse("""{"Statement": {"Action": "*"}}""", ParseOptions.Lenient)).ToString());
    }

    [Fact]
    public void Value_and_key_lengths_are_limited_in_strict_mode()
    {
        var longValue = new string('a', 2049);
        var json = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"" + longValue + "\"}}";
        var longKey = new string('k', 257);
        var keyJson = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"Null\": {\"" + longKey + "\": \"true\"}}}}";
        var options = ParseOptions.StrictDefault with { MaxDocumentCharacters = null };

        Assert.Equal("statement[0].Action: value is longer than 2048 characters (line 1, column 45)", SingleError(PolicyParser.Parse(json, options)).ToString());
        Assert.Equal("statement[0].Condition.Null: condition key is longer than 256 characters (line 1, column 73)", SingleError(PolicyParser.Parse(keyJson, options)).ToString());
        Assert.True(PolicyParser.Parse(json, ParseOptions.Lenient).Success);
    }

    [Theory]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*",}}""")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*"} // note""")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Action": "*"}} {}""")]
    [InlineData("")]
    public void Malformed_json_is_a_located_error(string json)
    {
        var error = SingleError(PolicyParser.Parse(json));

        Assert.Equal(PolicyParser.Codes.MalformedJson, error.Code);
        Assert.True(error.Location.Line > 0, error.ToString());
        Assert.Equal(error.Message.ToLowerInvariant()[0], error.Message[0]);
        Assert.False(error.Message.EndsWith('.'), error.Message);
    }

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        const string json = """{"Id": "日本語", "Statement": {"Effect": "Nope", "Action": "*"}}""";

        Assert.Equal("statement[0].Effect: invalid effect `Nope`; expected `Allow` or `Deny` (line 1, column 39)", SingleError(PolicyParser.Parse(json)).ToString());
    }

    [Fact]
    public void Single_strings_and_arrays_are_recorded_as_written()
    {
        const string json = """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*",
             "Principal": {"AWS": "111122223333", "Service": ["a.amazonaws.com"]},
             "Condition": {"NumericEquals": {"n": 1.50, "m": ["2"]}, "Bool": {"b": true}}}]}
            """;

        var doc = PolicyParser.Parse(json).Document!;
        var s = Assert.Single(doc.Statements);

        Assert.True(doc.StatementIsArray);
        Assert.True(s.Action.IsArray);
        Assert.False(s.Resource!.IsArray);
        Assert.Equal([false, true], s.Principal!.Entries.Select(e => e.IsArray));
        Assert.Equal(new ConditionValue("1.50", ConditionValueKind.Number, s.Conditions[0].Clauses[0].Values[0].Location), s.Conditions[0].Clauses[0].Values[0]);
        Assert.True(s.Conditions[0].Clauses[1].IsArray);
        Assert.Equal(ConditionValueKind.Boolean, s.Conditions[1].Clauses[0].Values[0].Kind);
    }
}
