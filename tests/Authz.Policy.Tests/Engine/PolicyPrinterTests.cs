using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Tests.Engine;

/// <summary>The canonical printed form of a policy document.</summary>
public sealed class PolicyPrinterTests
{
    [Fact]
    public void Printing_keeps_forms_order_and_number_spelling()
    {
        const string source = """
            {"Statement":{"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":[1.50]},"Bool":{"aws:SecureTransport":true}},
             "Resource":"arn:aws:s3:::b/*","Action":["s3:GetObject"],"Effect":"Deny","Sid":"café & <b>"},"Id":"x","Version":"2012-10-17"}
            """;
        var doc = PolicyParser.Parse(source).Document!;

        Assert.Equal(
            """
            {
              "Version": "2012-10-17",
              "Id": "x",
              "Statement": {
                "Sid": "café & <b>",
                "Effect": "Deny",
                "Action": [
                  "s3:GetObject"
                ],
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {
                  "NumericLessThan": {
                    "aws:MultiFactorAuthAge": [
                      1.50
                    ]
                  },
                  "Bool": {
                    "aws:SecureTransport": true
                  }
                }
              }
            }
            """.ReplaceLineEndings("\n"),
            PolicyPrinter.Print(doc));
        Assert.Equal(
            """{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"café & <b>","Effect":"Deny","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":[1.50]},"Bool":{"aws:SecureTransport":true}}}}""",
            PolicyPrinter.Print(doc, indented: false));
    }

    [Fact]
    public void Principal_elements_print_in_statement_order()
    {
        const string source = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"},
              {"Effect":"Deny","NotAction":"s3:*","NotResource":["a","b"],"NotPrincipal":{"Service":["x.amazonaws.com"],"AWS":"111122223333"}}]}
            """;
        var doc = PolicyParser.Parse(source).Document!;

        Assert.Equal(
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"Service":["x.amazonaws.com"],"AWS":"111122223333"},"NotAction":"s3:*","NotResource":["a","b"]}]}""",
            PolicyPrinter.Print(doc, indented: false));
    }

    [Fact]
    public void Escapes_only_what_json_requires()
    {
        var doc = PolicyParser.Parse("{\"Statement\":{\"Sid\":\"q\\\" b\\\\ t\\t c\\u0001 + ü <&> 😀 /\",\"Effect\":\"Allow\",\"Action\":\"*\"}}").Document!;

        // Relaxed escaping leaves `+`, `<&>`, `/` and BMP text alone. System.Text.Json's encoders always escape
        // characters outside the Basic Multilingual Plane, so the emoji is written as a surrogate-pair escape.
        Assert.Equal(
            "{\"Statement\":{\"Sid\":\"q\\\" b\\\\ t\\t c\\u0001 + ü <&> \\uD83D\\uDE00 /\",\"Effect\":\"Allow\",\"Action\":\"*\"}}",
            PolicyPrinter.Print(doc, indented: false));
    }

    [Fact]
    public void A_model_built_in_code_with_several_values_in_single_form_prints_an_array()
    {
        var doc = new PolicyDocument(null, null,
        [
            new PolicyStatement
            {
                Index = 0,
                Effect = Effect.Allow,
                Action = new ValueList(false, [new("s3:GetObject", SourceLocation.None), new("s3:PutObject", SourceLocation.None)], IsArray: false, SourceLocation.None),
            },
        ], StatementIsArray: false);

        Assert.Equal("""{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"]}}""", PolicyPrinter.Print(doc, indented: false));
    }

    [Fact]
    public void A_number_value_that_is_not_a_json_number_is_rejected()
    {
        var doc = new PolicyDocument(null, null,
        [
            new PolicyStatement
            {
                Index = 0,
                Effect = Effect.Allow,
                Action = new ValueList(false, [new("*", SourceLocation.None)], IsArray: false, SourceLocation.None),
                Conditions = [new ConditionBlock("NumericEquals", [new ConditionClause("k", [new ConditionValue("12 3", ConditionValueKind.Number, SourceLocation.None)], false, SourceLocation.None)], SourceLocation.None)],
            },
        ], StatementIsArray: false);

        var ex = Assert.Throws<ArgumentException>(() => PolicyPrinter.Print(doc));
        Assert.Contains("`12 3`", ex.Message, StringComparison.Ordinal);
    }
}
