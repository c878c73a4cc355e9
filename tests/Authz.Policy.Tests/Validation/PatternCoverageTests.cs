using Authz.Policy.Compilation;
using Authz.Policy.Validation;

namespace Authz.Policy.Tests.Validation;

public class PatternCoverageTests
{
    [Theory]
    [InlineData("iam:Get*", "iam:GetUser", PatternMode.Action, true)]
    [InlineData("IAM:get*", "iam:GetUser", PatternMode.Action, true)]
    [InlineData("iam:Get*", "iam:Get?ser", PatternMode.Action, true)]
    [InlineData("iam:Get?ser", "iam:Get*", PatternMode.Action, false)]
    [InlineData("iam:*CredentialReport", "iam:Get*", PatternMode.Action, false)]
    [InlineData("*", "s3:*", PatternMode.Action, true)]
    [InlineData("s3:*", "*", PatternMode.Action, false)]
    [InlineData("a*b*c", "a*c", PatternMode.Action, false)]
    [InlineData("a*c", "a*b*c", PatternMode.Action, true)]
    [InlineData("arn:aws:s3:::*", "arn:aws:s3:::bucket/a:b", PatternMode.Arn, true)]
    [InlineData("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/x", PatternMode.Arn, true)]
    // A `*` inside an ARN field stays in the field, so it does not cover a value that crosses a colon.
    [InlineData("arn:aws:iam::1*2:role/x", "arn:aws:iam::1:3:2:role/x", PatternMode.Arn, false)]
    [InlineData("arn:aws:iam::1*2:role/x", "arn:aws:iam::1?2:role/x", PatternMode.Arn, true)]
    [InlineData("arn:aws:iam::1*2:role/x", "arn:aws:iam::1*:role/x", PatternMode.Arn, false)]
    [InlineData("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", PatternMode.Arn, false)]
    public void Covers_follows_the_matcher_rules(string general, string specific, PatternMode mode, bool expected) =>
        Assert.Equal(expected, PatternCoverage.Covers(general, specific, mode, variables: false));

    [Theory]
    [InlineData("arn:aws:s3:::home/*", "arn:aws:s3:::home/${aws:username}", true)]
    [InlineData("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/${aws:username}", true)]
    [InlineData("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/alice", false)]
    [InlineData("arn:aws:s3:::home/a*", "arn:aws:s3:::home/a${*}", true)]
    [InlineData("arn:aws:s3:::home/a${*}", "arn:aws:s3:::home/ab", false)]
    [InlineData("arn:aws:s3:::home/a?", "arn:aws:s3:::home/${aws:username}", false)]
    public void Variables_are_covered_only_by_what_covers_any_text(string general, string specific, bool expected) =>
        Assert.Equal(expected, PatternCoverage.Covers(general, specific, PatternMode.Arn, variables: true));

    [Theory]
    [InlineData("s3:GetObject", "s3:GetObject")]
    [InlineData("s3:Get*", "s3:GetObject")]
    [InlineData("*Object", "s3:GetObject")]
    [InlineData("s3:Get?bject", "s3:GetObject")]
    public void Covering_patterns_really_match_the_covered_value(string general, string value)
    {
        // Cross-check against the engine's matcher: covering a literal means matching it.
        Assert.True(PatternCoverage.Covers(general, value, PatternMode.Action, variables: false));
        Assert.True(WildcardPattern.Compile(general, PatternMode.Action, variables: false).IsMatch(value));
    }

    [Fact]
    public void Coverage_of_literals_agrees_with_the_engine_matcher()
    {
        string[] patterns = ["arn:aws:s3:::*", "arn:aws:s3:::b/*", "arn:aws:*:*:*:*", "arn:aws:iam::*:role/*", "arn:aws:iam::1?:*", "arn:aws:s3:::b*/x", "*"];
        string[] values = ["arn:aws:s3:::b/x", "arn:aws:s3:::b", "arn:aws:iam::12:role/r", "arn:aws:iam::1:2:role/r", "arn:aws:s3:::bb/x", "arn:aws:s3:::b:c/x"];
        foreach (var p in patterns)
            foreach (var v in values)
                Assert.True(
                    WildcardPattern.Compile(p, PatternMode.Arn, variables: false).IsMatch(v) == PatternCoverage.Covers(p, v, PatternMode.Arn, variables: false),
                    $"`{p}` vs `{v}`");
    }
}
