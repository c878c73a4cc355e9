using Authz.Policy.Evaluation;
using Authz.Policy.Simulation;

namespace Authz.Policy.Tests.Engine;

/// <summary>
/// What an evaluation error does to a decision (STYLE.md item 6): a request value that cannot be read as the
/// operator's type stops an Allow from applying and lets a Deny apply, and the explanation says so truthfully.
/// </summary>
public sealed class FailClosedEvaluationTests
{
    private const string AllowAll = """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}""";

    private static EvaluationResult Evaluate(string context, params string[] identityPolicies)
    {
        var line = $$"""
            {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
             "context": {{context}}, "identityPolicies": [{{string.Join(",", identityPolicies)}}]}
            """.ReplaceLineEndings(" ");
        var outcome = Simulator.Run(line, explain: true);
        Assert.True(outcome.Error is null, outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void An_allow_whose_condition_cannot_be_evaluated_does_not_apply()
    {
        var result = Evaluate("""{"aws:MultiFactorAuthAge": "abc"}""",
            """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}}}""");

        Assert.Equal(Decision.ImplicitDeny, result.Decision);
        var error = Assert.Single(result.Errors);
        Assert.Equal("aws:MultiFactorAuthAge", error.Key);
        Assert.Contains("the Allow does not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deny_whose_condition_cannot_be_evaluated_applies()
    {
        var result = Evaluate("""{"aws:SourceIp": "not-an-ip"}""", AllowAll,
            """{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}}""");

        Assert.Equal(Decision.ExplicitDeny, result.Decision);
        var determining = Assert.Single(result.Determining);
        Assert.Equal(("identity[1]", 0), (determining.PolicyId, determining.StatementIndex));
        Assert.Contains("the Deny applies", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_unreadable_value_of_a_multivalued_key_makes_the_condition_an_error()
    {
        var result = Evaluate("""{"aws:SourceIp": ["10.1.2.3", "bogus"]}""",
            """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}}""");

        Assert.Equal(Decision.ImplicitDeny, result.Decision);
        Assert.Single(result.Errors);
    }

    [Fact]
    public void A_deny_with_an_error_and_a_false_condition_does_not_apply()
    {
        // Conditions AND together: a false condition decides the statement whatever the unreadable one would say.
        var result = Evaluate("""{"aws:SourceIp": "not-an-ip", "aws:username": "alice"}""", AllowAll,
            """{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:username": "bob"}}}}""");

        Assert.Equal(Decision.Allow, result.Decision);
    }

    [Fact]
    public void The_explanation_does_not_claim_a_deny_applied_when_a_later_condition_kept_it_from_applying()
    {
        // Engine bug: PolicyEvaluator.Check records the error (worded "the Deny applies") as soon as the unreadable
        // condition is seen, then returns on the false StringEquals, so the result explains an Allow with a Deny
        // that "applies". Put in the reverse order, the same statement reports no error at all.
        var result = Evaluate("""{"aws:SourceIp": "not-an-ip", "aws:username": "alice"}""", AllowAll,
            """{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:username": "bob"}}}}""");

        Assert.Equal(Decision.Allow, result.Decision);
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("the Deny applies", StringComparison.Ordinal));
    }

    /// <summary>
    /// A case whose name or value escapes a lone surrogate is refused as malformed, not thrown: JsonDocument accepts
    /// it when parsing and refuses it only when it is read (found by the 100,000-input fuzz run).
    /// </summary>
    [Theory]
    [InlineData("""{"id": "x", "\ud800": 1, "principal": "arn:aws:iam::111122223333:user/alice"}""")]
    [InlineData("""{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"k\udc00": "v"}, "identityPolicies": []}""")]
    public void A_case_with_an_escaped_lone_surrogate_is_malformed_not_a_crash(string line)
    {
        var outcome = Simulator.Run(line);

        Assert.Null(outcome.Decision);
        Assert.StartsWith("malformed case", outcome.Error, StringComparison.Ordinal);
    }
}
