using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;

namespace Authz.Policy.Tests.Engine;

/// <summary>Glob matching for actions, string conditions and resource ARNs, with policy variables.</summary>
public sealed class WildcardPatternTests
{
    private static RequestContext Context(params (string Key, string[] Values)[] values) =>
        RequestContext.Create(values.Select(v => new KeyValuePair<string, string[]>(v.Key, v.Values)));

    private static bool Arn(string pattern, string value) => WildcardPattern.Compile(pattern, PatternMode.Arn, variables: false).IsMatch(value);

    [Theory]
    [InlineData("arn:aws:s3:::ml-data/*", "arn:aws:s3:::ml-data/a/b.csv", true)]
    [InlineData("arn:aws:s3:::ml-data/*", "arn:aws:s3:::ml-data/a:b/c", true)]           // the last segment's * runs on past colons
    [InlineData("arn:aws:s3:::ml-data/*", "arn:aws:s3:::ml-data", false)]
    [InlineData("arn:aws:s3:::ml-*", "arn:aws:s3:::ml-data/x", true)]
    [InlineData("arn:aws:s3:::a*b", "arn:aws:s3:::axxb", true)]
    [InlineData("arn:aws:s3:::a*b", "arn:aws:s3:::a:b", false)]                           // a * inside a segment stops at ':'
    [InlineData("arn:aws:s3:::a*b/*", "arn:aws:s3:::ax:yb/z", false)]
    [InlineData("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true)]
    [InlineData("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:444455556666:instance/i-1", false)]
    [InlineData("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/R", true)]
    [InlineData("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:user/u", false)]
    [InlineData("arn:aws:*", "arn:aws:iam::111122223333:user/u", true)]                    // a segment-ending * may span several segments
    [InlineData("arn:aws:s3:::ml-data/x?csv", "arn:aws:s3:::ml-data/x.csv", true)]
    [InlineData("arn:aws:s3:::ml-data/x?csv", "arn:aws:s3:::ml-data/x:csv", false)]       // ? never matches ':' in an ARN
    [InlineData("arn:aws:s3:::ml-data/x?csv", "arn:aws:s3:::ml-data/xcsv", false)]        // ? is exactly one character
    [InlineData("arn:aws:s3:::ML-data/*", "arn:aws:s3:::ml-data/x", false)]               // ARNs are case-sensitive
    [InlineData("arn:aws:s3:::ml-data/**", "arn:aws:s3:::ml-data/x/y", true)]
    [InlineData("*", "arn:aws:s3:::anything:at/all", true)]
    [InlineData("*", "*", true)]
    [InlineData("arn:aws:s3:::*", "*", false)]
    public void Arn_patterns_match_segment_by_segment(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, Arn(pattern, value));
    }

    [Theory]
    [InlineData("s3:Get*", "s3:GetObject", true)]
    [InlineData("S3:get*", "s3:GetObject", true)]
    [InlineData("s3:GETOBJECT", "s3:getobject", true)]
    [InlineData("s3:?etObject", "s3:GetObject", true)]
    [InlineData("s3:?etObject", "s3:etObject", false)]
    [InlineData("*:GetObject", "s3:GetObject", true)]
    [InlineData("s3*", "s3:GetObject", true)]
    [InlineData("s?:GetObject", "s3:GetObject", true)]
    [InlineData("s3:*Object*", "s3:GetObjectAcl", true)]
    [InlineData("s3:Get*", "ec2:GetObject", false)]
    [InlineData("s3:GetObject", "s3:GetObjectAcl", false)]
    public void Actions_match_case_insensitively_and_stars_span_colons(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Compile(pattern, PatternMode.Action, variables: false).IsMatch(value));
    }

    [Theory]
    [InlineData("proj-*", "proj-42", true)]
    [InlineData("proj-*", "Proj-42", false)]
    [InlineData("a?c", "a:c", true)]
    [InlineData("a*c", "a:b:c", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    public void String_patterns_are_case_sensitive_and_ignore_colons(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Compile(pattern, PatternMode.Text, variables: false).IsMatch(value));
    }

    [Fact]
    public void Without_wildcards_star_and_question_mark_are_literal()
    {
        var pattern = WildcardPattern.Compile("a*b?", PatternMode.Text, variables: false, wildcards: false);

        Assert.True(pattern.IsLiteral);
        Assert.Equal("a*b?", pattern.Literal);
        Assert.True(pattern.IsMatch("a*b?"));
        Assert.False(pattern.IsMatch("axxbz"));
    }

    [Fact]
    public void Shapes_are_reported()
    {
        Assert.True(WildcardPattern.Compile("*", PatternMode.Arn, false).IsMatchAll);
        Assert.True(WildcardPattern.Compile("**", PatternMode.Action, false).IsMatchAll);
        Assert.False(WildcardPattern.Compile("arn:aws:s3:::b/*", PatternMode.Arn, false).IsLiteral);
        Assert.Equal("s3:GetObject", WildcardPattern.Compile("s3:GetObject", PatternMode.Action, false).Literal);
        Assert.False(WildcardPattern.Compile("${aws:username}", PatternMode.Text, variables: true).IsLiteral);
        Assert.True(WildcardPattern.Compile("${aws:username}", PatternMode.Text, variables: true).HasVariables);
        Assert.Equal("arn:aws:s3:::b/${*}", WildcardPattern.Compile("arn:aws:s3:::b/${*}", PatternMode.Arn, true).Source);
    }

    [Fact]
    public void Variables_are_substituted_from_the_request()
    {
        var pattern = WildcardPattern.Compile("arn:aws:s3:::ml-data/home/${aws:username}/*", PatternMode.Arn, variables: true);

        Assert.True(pattern.IsMatch("arn:aws:s3:::ml-data/home/alice/notes.txt", Context(("aws:username", ["alice"]))));
        Assert.False(pattern.IsMatch("arn:aws:s3:::ml-data/home/bob/notes.txt", Context(("aws:username", ["alice"]))));
        // Key names are case-insensitive.
        Assert.True(pattern.IsMatch("arn:aws:s3:::ml-data/home/alice/x", Context(("AWS:USERNAME", ["alice"]))));
    }

    [Fact]
    public void A_variable_without_a_value_or_default_matches_nothing()
    {
        var pattern = WildcardPattern.Compile("home/${aws:username}/*", PatternMode.Text, variables: true);

        Assert.False(pattern.IsMatch("home//x", RequestContext.Empty));
        Assert.False(pattern.IsMatch("home/${aws:username}/x", RequestContext.Empty));
        Assert.False(pattern.IsMatch("home//x", Context(("aws:username", []))));
    }

    [Fact]
    public void A_default_is_used_only_when_the_key_is_absent()
    {
        var pattern = WildcardPattern.Compile("team-${aws:PrincipalTag/team, 'none'}", PatternMode.Text, variables: true);

        Assert.True(pattern.IsMatch("team-none", RequestContext.Empty));
        Assert.True(pattern.IsMatch("team-ml", Context(("aws:PrincipalTag/team", ["ml"]))));
        Assert.False(pattern.IsMatch("team-none", Context(("aws:PrincipalTag/team", ["ml"]))));
        Assert.True(pattern.IsMatch("team-", Context(("aws:PrincipalTag/team", [""]))));
    }

    [Fact]
    public void A_multivalued_key_is_not_substituted_and_its_default_is_not_used()
    {
        var pattern = WildcardPattern.Compile("${aws:TagKeys, 'x'}", PatternMode.Text, variables: true);

        Assert.False(pattern.IsMatch("a", Context(("aws:TagKeys", ["a", "b"]))));
        Assert.False(pattern.IsMatch("x", Context(("aws:TagKeys", ["a", "b"]))));
        Assert.True(pattern.IsMatch("a", Context(("aws:TagKeys", ["a"]))));
    }

    [Fact]
    public void A_substituted_value_is_literal_text()
    {
        var pattern = WildcardPattern.Compile("home/${aws:username}", PatternMode.Text, variables: true);
        var starUser = Context(("aws:username", ["a*"]));

        Assert.True(pattern.IsMatch("home/a*", starUser));
        Assert.False(pattern.IsMatch("home/abc", starUser));
        // A colon in a substituted value is text too, even in an ARN.
        Assert.True(WildcardPattern.Compile("arn:aws:s3:::b/${k}", PatternMode.Arn, true).IsMatch("arn:aws:s3:::b/x:y", Context(("k", ["x:y"]))));
    }

    [Theory]
    [InlineData("a${*}b", "a*b", true)]
    [InlineData("a${*}b", "axb", false)]
    [InlineData("a${?}b", "a?b", true)]
    [InlineData("a${?}b", "axb", false)]
    [InlineData("a${$}b", "a$b", true)]
    [InlineData("${*}*", "*anything", true)]
    public void Escapes_produce_literal_characters(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Compile(pattern, PatternMode.Text, variables: true).IsMatch(value, RequestContext.Empty));
    }

    [Fact]
    public void With_variables_off_dollar_braces_are_text_and_star_is_still_a_wildcard()
    {
        var pattern = WildcardPattern.Compile("home/${aws:username}/*", PatternMode.Text, variables: false);

        Assert.True(pattern.IsMatch("home/${aws:username}/x"));
        Assert.False(pattern.IsMatch("home/alice/x", Context(("aws:username", ["alice"]))));
    }

    [Theory]
    [InlineData("a${aws:username")]
    [InlineData("a${}b")]
    [InlineData("a${k, none}b")]
    public void Malformed_variables_are_literal_text(string pattern)
    {
        Assert.True(WildcardPattern.Compile(pattern, PatternMode.Text, variables: true).IsMatch(pattern, RequestContext.Empty));
    }

    [Fact]
    public void Long_values_are_matched()
    {
        var value = "arn:aws:s3:::b/" + new string('x', 5000) + ":end";

        Assert.True(Arn("arn:aws:s3:::b/*x:end", value));
        Assert.False(Arn("arn:aws:s3:::b/*y:end", value));
        Assert.True(WildcardPattern.Compile("*x?end", PatternMode.Text, false).IsMatch(value));
    }
}
