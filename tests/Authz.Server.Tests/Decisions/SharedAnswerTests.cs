using Authz.V1;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// Checks decided by one statement share one answer message per statement (<c>SharedAnswers</c>). These tests hold every
/// shared answer against the answer built for the same check with <c>explain</c>, which is never shared: the same
/// decision, revision, reason and references, for principals that share a statement, across writes, and in any order.
/// </summary>
[Collection(DecisionApiCollection.Name)]
public sealed class SharedAnswerTests(DecisionApiFixture fixture)
{
    private readonly Admin.AdminClient _admin = fixture.Admin;
    private readonly Authorization.AuthorizationClient _authz = fixture.Authorization;

    [Fact]
    public async Task Each_check_gets_its_own_reference_and_revision_when_principals_share_a_statement()
    {
        var t = await fixture.NewTenantAsync();
        var read = Rpc.Allow("s3:GetObject", $"arn:aws:s3:::data-{t}/*");
        var users = new List<string>();
        foreach (var name in new[] { "alice", "bob" })
        {
            users.Add((await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = name })).User.Arn);
            // The same document inline in both: the statements may be compiled once, but each names its own user.
            await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = name, PolicyName = "read", PolicyDocument = read });
        }

        var group = (await _admin.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "team" })).Group.Arn;
        await _admin.PutGroupPolicyAsync(new PutGroupPolicyRequest { TenantId = t, GroupName = "team", PolicyName = "list", PolicyDocument = Rpc.Allow("s3:ListBucket", $"arn:aws:s3:::data-{t}") });
        ulong revision = 0;
        foreach (var name in new[] { "alice", "bob" })
        {
            revision = (await _admin.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "team", UserName = name })).Revision;
        }

        // Interleaved, so that each statement's shared answer is asked for by both principals in turn.
        for (var round = 0; round < 3; round++)
        {
            foreach (var user in users)
            {
                var get = await CheckAsync(new AuthorizeRequest { Principal = user, Action = "s3:GetObject", Resource = $"arn:aws:s3:::data-{t}/x.csv", MinRevision = revision });
                Assert.Equal(Decision.Allow, get.Decision);
                Assert.Equal(user, Assert.Single(get.Determining).AttachedTo);

                var list = await CheckAsync(new AuthorizeRequest { Principal = user, Action = "s3:ListBucket", Resource = $"arn:aws:s3:::data-{t}", MinRevision = revision });
                Assert.Equal(group, Assert.Single(list.Determining).AttachedTo);
            }

            // A write anywhere in the tenant moves its revision: the next answers carry the new one.
            var moved = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = $"carol{round}" })).Revision;
            Assert.True(moved > revision);
            revision = moved;
        }

        // A new document replaces the statement: its Sid shows in the next answer.
        revision = (await _admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = t,
            UserName = "alice",
            PolicyName = "read",
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Sid":"Changed","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-{{t}}/*"}]}""",
        })).Revision;
        var changed = await CheckAsync(new AuthorizeRequest { Principal = users[0], Action = "s3:GetObject", Resource = $"arn:aws:s3:::data-{t}/x.csv", MinRevision = revision });
        Assert.Equal("Changed", Assert.Single(changed.Determining).Sid);
        Assert.Equal("", Assert.Single((await CheckAsync(new AuthorizeRequest { Principal = users[1], Action = "s3:GetObject", Resource = $"arn:aws:s3:::data-{t}/x.csv", MinRevision = revision })).Determining).Sid);
    }

    [Fact]
    public async Task An_explicit_deny_by_a_resource_policy_names_its_holder_for_every_principal()
    {
        var t = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::vault-{t}";
        var users = new List<string>();
        foreach (var name in new[] { "alice", "bob" })
        {
            users.Add((await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = name })).User.Arn);
            await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = name, PolicyName = "all", PolicyDocument = Rpc.Allow("s3:*", "*") });
        }

        var revision = (await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = t,
            ResourceArn = bucket,
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"{{bucket}}/*"}]}""",
        })).Revision;

        for (var round = 0; round < 2; round++)
        {
            foreach (var user in users)
            {
                var answer = await CheckAsync(new AuthorizeRequest { Principal = user, Action = "s3:DeleteObject", Resource = $"{bucket}/models/m.bin", MinRevision = revision });
                Assert.Equal(Decision.ExplicitDeny, answer.Decision);
                var deny = Assert.Single(answer.Determining);
                Assert.Equal((bucket, bucket, "NoDeletes", PolicyType.Resource), (deny.Policy, deny.AttachedTo, deny.Sid, deny.PolicyType));
            }
        }
    }

    /// <summary>The check's answer, after asserting that the same check with <c>explain</c> (built for it alone) agrees.</summary>
    private async Task<AuthorizeResponse> CheckAsync(AuthorizeRequest check)
    {
        var answer = await _authz.AuthorizeAsync(check);
        var built = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { Explain = true });
        Assert.Equal((built.Decision, built.Revision, built.Reason), (answer.Decision, answer.Revision, answer.Reason));
        Assert.Equal(built.Determining, answer.Determining);
        Assert.Empty(answer.ConditionMismatches);
        return answer;
    }
}
