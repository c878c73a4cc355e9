using Authz.Grains;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// What the decision API answers when there is nothing to allow: unknown tenants and principals, context keys a caller
/// may not supply, and batches, over real gRPC against the real host.
/// </summary>
[Collection(DecisionApiCollection.Name)]
public sealed class FailClosedTests(DecisionApiFixture fixture)
{
    private readonly Admin.AdminClient _admin = fixture.Admin;
    private readonly Authorization.AuthorizationClient _authz = fixture.Authorization;

    // ---- (c) unknown tenant and principal ------------------------------------------------------------------------

    [Theory]
    [InlineData("arn:aws:iam::{absent}:user/alice")]
    [InlineData("arn:aws:iam::{absent}:role/Trainer")]
    [InlineData("arn:aws:sts::{absent}:assumed-role/Trainer/job-1")]
    [InlineData("arn:aws:iam::{tenant}:user/nobody")]
    [InlineData("arn:aws:iam::{tenant}:user/team/alice")]
    [InlineData("arn:aws:iam::{tenant}:role/Nobody")]
    [InlineData("arn:aws:sts::{tenant}:assumed-role/Nobody/job-1")]
    public async Task An_unknown_tenant_or_principal_is_an_implicit_deny_with_a_reason(string principal)
    {
        var (t, _) = await TenantWithAliceAsync();
        var absent = DecisionApiFixture.NewTenantId();
        var arn = principal.Replace("{tenant}", t, StringComparison.Ordinal).Replace("{absent}", absent, StringComparison.Ordinal);

        var answer = await _authz.AuthorizeAsync(new AuthorizeRequest { Principal = arn, Action = "s3:GetObject", Resource = $"arn:aws:s3:::unknown-{t}/x" });

        Assert.Equal(Decision.ImplicitDeny, answer.Decision);
        Assert.Contains("unknown", answer.Reason, StringComparison.Ordinal);
        Assert.Contains(arn, answer.Reason, StringComparison.Ordinal);
        Assert.Empty(answer.Determining);
    }

    /// <summary>
    /// The check's tenant (<c>tenant_id</c>) does not exist: whatever the principal, that is an implicit deny with a
    /// reason naming the tenant (authorization.proto: "An unknown principal or tenant is answered with IMPLICIT_DENY and a
    /// `reason`, not with an error status").
    /// </summary>
    [Theory]
    [InlineData("arn:aws:iam::{tenant}:user/alice", "arn:aws:s3:::unknown-tenant-{absent}/x")]
    [InlineData("sagemaker.amazonaws.com", "arn:aws:s3:::unknown-tenant-{absent}/x")]
    [InlineData("arn:aws:iam::{tenant}:user/alice", "*")]
    [InlineData("sagemaker.amazonaws.com", "*")]
    public async Task A_check_in_an_unknown_tenant_is_an_implicit_deny_with_a_reason(string principal, string resource)
    {
        var (t, _) = await TenantWithAliceAsync();
        var absent = DecisionApiFixture.NewTenantId();

        var answer = await _authz.AuthorizeAsync(new AuthorizeRequest
        {
            TenantId = absent,
            Principal = principal.Replace("{tenant}", t, StringComparison.Ordinal),
            Action = "s3:GetObject",
            Resource = resource.Replace("{absent}", absent, StringComparison.Ordinal),
        });

        Assert.Equal(Decision.ImplicitDeny, answer.Decision);
        Assert.Contains(absent, answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Principals_of_a_deleted_tenant_are_unknown_at_once_for_checks_that_carry_the_delete()
    {
        var (t, check) = await TenantWithAliceAsync();
        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(check)).Decision);

        var deleted = (await _admin.DeleteTenantAsync(new DeleteTenantRequest { TenantId = t })).Revision;
        var answer = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { MinRevision = deleted });

        Assert.Equal(Decision.ImplicitDeny, answer.Decision);
        Assert.Contains("unknown", answer.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// A resource whose ARN names another tenant's account belongs to that tenant even when nobody registered it: the
    /// caller's own identity policy cannot grant it (DESIGN.md, "Across tenants, both the principal's identity policies
    /// and the resource policy must allow"; tenant isolation).
    /// </summary>
    [Fact]
    public async Task An_unregistered_resource_of_another_tenant_is_not_granted_by_the_callers_identity_policy_alone()
    {
        var (t, check) = await TenantWithAliceAsync();
        var other = await fixture.NewTenantAsync();
        var table = $"arn:aws:dynamodb:us-east-1:{other}:table/features";
        var last = (await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "tables", PolicyDocument = Rpc.Allow("dynamodb:GetItem") })).Revision;

        var own = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { Action = "dynamodb:GetItem", Resource = $"arn:aws:dynamodb:us-east-1:{t}:table/features", MinRevision = last });
        var foreign = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { Action = "dynamodb:GetItem", Resource = table, MinRevision = last });

        Assert.Equal(Decision.Allow, own.Decision);
        Assert.Equal(Decision.ImplicitDeny, foreign.Decision);
    }

    /// <summary>
    /// A tenant's deletion marks it first and purges its entities after; a crash can stop it in between. Until the purge
    /// releases a registered bucket, the bucket is still that tenant's: another tenant's identity policy alone cannot
    /// grant it, although the tenant itself no longer exists for checks.
    /// </summary>
    [Fact]
    public async Task A_registered_resource_of_a_tenant_being_deleted_is_not_granted_by_another_tenants_identity_policy()
    {
        var (t, check) = await TenantWithAliceAsync();
        var owner = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::data-{t}";
        await _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = owner, ResourceArn = bucket });

        await fixture.Grains.GetTenant(owner).BeginDelete();
        var answer = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { MinRevision = 0 });

        Assert.Equal(Decision.ImplicitDeny, answer.Decision);
    }

    // ---- (d) server-owned context keys ---------------------------------------------------------------------------

    /// <summary>
    /// alice (tag team=ops) asks with context keys the server fills itself, set to the values her policies want. The
    /// server ignores them, whatever their case, also where alice or the resource holds no such key (alice has no
    /// clearance tag; <c>tagged/z</c> is not registered): the deny stays a deny. A principal that really holds those values
    /// (<paramref name="control"/>, on <paramref name="controlKey"/>) shows the policy does allow.
    /// </summary>
    [Theory]
    [InlineData("s3:GetObject", "abac/x", "aws:PrincipalTag/team", "ml", Decision.ImplicitDeny, "bob", "abac/x")]
    [InlineData("s3:GetObject", "abac/x", "AWS:PRINCIPALTAG/TEAM", "ml", Decision.ImplicitDeny, "bob", "abac/x")]
    [InlineData("s3:GetObject", "secret/x", "aws:PrincipalTag/clearance", "top", Decision.ImplicitDeny, "bob", "secret/x")]
    [InlineData("s3:PutObject", "home/bob/x", "aws:username", "bob", Decision.ImplicitDeny, "bob", "home/bob/x")]
    [InlineData("s3:PutObject", "home/bob/x", "AWS:UserName", "bob", Decision.ImplicitDeny, "bob", "home/bob/x")]
    [InlineData("s3:GetObject", "vault/x", "aws:PrincipalArn", "arn:aws:iam::{tenant}:user/admin", Decision.ExplicitDeny, "admin", "vault/x")]
    [InlineData("s3:GetObject", "vault/x", "aws:principalarn", "arn:aws:iam::{tenant}:user/admin", Decision.ExplicitDeny, "admin", "vault/x")]
    [InlineData("s3:GetObject", "acct/x", "aws:PrincipalAccount", "{other}", Decision.ImplicitDeny, null, null)]
    [InlineData("s3:GetObject", "tagged/x", "aws:ResourceTag/owner", "alice", Decision.ImplicitDeny, "bob", "tagged/y")]
    [InlineData("s3:GetObject", "tagged/z", "aws:resourcetag/Owner", "alice", Decision.ImplicitDeny, "bob", "tagged/y")]
    public async Task Caller_supplied_server_owned_context_keys_cannot_turn_a_deny_into_an_allow(string action, string key, string contextKey, string value,
        Decision expected, string? control, string? controlKey)
    {
        var world = await ServerKeyWorldAsync();
        var forged = value.Replace("{tenant}", world.Tenant, StringComparison.Ordinal).Replace("{other}", world.Other, StringComparison.Ordinal);
        var honest = new AuthorizeRequest { Principal = world.Alice, Action = action, Resource = $"{world.Bucket}/{key}", MinRevision = world.Revision };
        var forging = new AuthorizeRequest(honest) { Context = { [contextKey] = new ContextValues { Values = { forged } } } };

        Assert.Equal(expected, (await _authz.AuthorizeAsync(honest)).Decision);
        Assert.Equal(expected, (await _authz.AuthorizeAsync(forging)).Decision);
        var batch = await _authz.BatchAuthorizeAsync(new BatchAuthorizeRequest { Checks = { forging } });
        Assert.Equal(expected, Assert.Single(batch.Results).Decision);
        if (control is not null)
        {
            var real = await _authz.AuthorizeAsync(new AuthorizeRequest(honest) { Principal = world.Users[control], Resource = $"{world.Bucket}/{controlKey}" });
            Assert.Equal(Decision.Allow, real.Decision);
        }
    }

    [Fact]
    public async Task A_role_has_no_username_and_a_caller_cannot_give_it_one()
    {
        var world = await ServerKeyWorldAsync();
        var session = $"arn:aws:sts::{world.Tenant}:assumed-role/Trainer/job-1";
        var check = new AuthorizeRequest { Principal = session, Action = "sagemaker:CreateTrainingJob", Resource = "*", MinRevision = world.Revision };

        Assert.Equal(Decision.ImplicitDeny, (await _authz.AuthorizeAsync(check)).Decision);
        var forging = new AuthorizeRequest(check) { Context = { ["aws:username"] = new ContextValues { Values = { "alice" } } } };
        Assert.Equal(Decision.ImplicitDeny, (await _authz.AuthorizeAsync(forging)).Decision);
    }

    /// <summary>
    /// A service principal has no principal keys but <c>aws:PrincipalType</c>, so the vault's deny of every
    /// <c>aws:PrincipalArn</c> but admin's applies to it; a caller cannot lift it by naming admin's ARN.
    /// </summary>
    [Fact]
    public async Task A_service_principal_has_no_principal_arn_and_a_caller_cannot_give_it_one()
    {
        var world = await ServerKeyWorldAsync();
        var check = new AuthorizeRequest
        {
            TenantId = world.Tenant, Principal = "sagemaker.amazonaws.com", Action = "s3:GetObject", Resource = $"{world.Bucket}/vault/x",
            MinRevision = world.Revision,
        };

        Assert.Equal(Decision.ExplicitDeny, (await _authz.AuthorizeAsync(check)).Decision);
        var forging = new AuthorizeRequest(check) { Context = { ["aws:PrincipalArn"] = new ContextValues { Values = { world.Admin } } } };
        Assert.Equal(Decision.ExplicitDeny, (await _authz.AuthorizeAsync(forging)).Decision);
    }

    // ---- (e) batches ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_batch_of_no_checks_or_more_than_100_is_invalid(int count)
    {
        var (_, check) = await TenantWithAliceAsync();
        var batch = new BatchAuthorizeRequest { Checks = { Enumerable.Range(0, count).Select(_ => check) } };

        var violation = await Rpc.Invalid("checks", () => _authz.BatchAuthorizeAsync(batch).ResponseAsync);
        Assert.Contains(count.ToString(System.Globalization.CultureInfo.InvariantCulture), violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_of_100_checks_is_answered_in_order()
    {
        var (t, check) = await TenantWithAliceAsync();
        var batch = new BatchAuthorizeRequest
        {
            Checks = { Enumerable.Range(0, 100).Select(i => new AuthorizeRequest(check) { Action = i % 2 == 0 ? "s3:GetObject" : "s3:PutObject", Resource = $"arn:aws:s3:::batch-{t}/{i}" }) },
        };

        var answers = await _authz.BatchAuthorizeAsync(batch);

        Assert.Equal(100, answers.Results.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? Decision.Allow : Decision.ImplicitDeny), answers.Results.Select(r => r.Decision));
    }

    [Fact]
    public async Task A_batch_with_mixed_principals_and_resources_is_answered_in_request_order()
    {
        var world = await ServerKeyWorldAsync();
        var t = world.Tenant;
        var checks = new (AuthorizeRequest Check, Decision Expected)[]
        {
            (Check(world.Bob, "s3:GetObject", $"{world.Bucket}/abac/x"), Decision.Allow),
            (Check(world.Alice, "s3:GetObject", $"{world.Bucket}/abac/x"), Decision.ImplicitDeny),
            (Check(world.Alice, "s3:GetObject", $"{world.Bucket}/vault/x"), Decision.ExplicitDeny),
            (Check($"arn:aws:sts::{t}:assumed-role/Trainer/job-1", "sagemaker:CreateModel", "*"), Decision.Allow),
            (Check($"arn:aws:iam::{t}:user/nobody", "s3:GetObject", $"{world.Bucket}/abac/x"), Decision.ImplicitDeny),
            (Check(world.Admin, "s3:GetObject", $"{world.Bucket}/vault/x"), Decision.Allow),
            (Check(world.Alice, "s3:PutObject", $"{world.Bucket}/home/alice/notes.txt"), Decision.Allow),
            (new AuthorizeRequest(Check($"arn:aws:iam::{world.Other}:user/carol", "s3:GetObject", $"{world.Bucket}/abac/x")) { TenantId = t }, Decision.ImplicitDeny),
            (Check(world.Alice, "s3:PutObject", $"{world.Bucket}/home/bob/notes.txt"), Decision.ImplicitDeny),
        };
        var batch = new BatchAuthorizeRequest { Checks = { checks.Select(c => c.Check) } };

        var answers = await _authz.BatchAuthorizeAsync(batch);

        Assert.Equal(checks.Select(c => c.Expected), answers.Results.Select(r => r.Decision));
        // Each answer is the one the same check gets alone.
        for (var i = 0; i < checks.Length; i++)
        {
            var alone = await _authz.AuthorizeAsync(checks[i].Check);
            Assert.Equal(alone.Decision, answers.Results[i].Decision);
            Assert.Equal(alone.Reason, answers.Results[i].Reason);
            Assert.Equal(alone.Determining, answers.Results[i].Determining);
        }

        // Again, with every check now served from memory: the same answers as the first, cold, run.
        Assert.Equal(answers.Results, (await _authz.BatchAuthorizeAsync(batch)).Results);

        AuthorizeRequest Check(string principal, string action, string resource) =>
            new() { Principal = principal, Action = action, Resource = resource, MinRevision = world.Revision };
    }

    /// <summary>
    /// A response's revision is "the tenant revision the decision was evaluated at (>= min_revision)", of the check's
    /// tenant, also when the principal belongs to another tenant (here unknown there, so the answer comes early).
    /// </summary>
    [Theory]
    [InlineData("arn:aws:iam::{other}:user/carol", "arn:aws:s3:::rev-{tenant}/x")]
    [InlineData("arn:aws:iam::{other}:user/carol", "*")]
    [InlineData("sagemaker.amazonaws.com", "*")]
    public async Task A_cross_tenant_check_reports_a_revision_of_the_checks_tenant_at_least_min_revision(string principal, string resource)
    {
        var (t, check) = await TenantWithAliceAsync();
        var other = await fixture.NewTenantAsync();
        var cross = new AuthorizeRequest(check)
        {
            TenantId = t,
            Principal = principal.Replace("{other}", other, StringComparison.Ordinal),
            Resource = resource.Replace("{tenant}", t, StringComparison.Ordinal),
        };

        var answer = await _authz.AuthorizeAsync(cross);

        Assert.Equal(Decision.ImplicitDeny, answer.Decision);
        Assert.True(answer.Revision >= check.MinRevision, $"revision {answer.Revision} is below min_revision {check.MinRevision}");
    }

    [Fact]
    public async Task An_invalid_check_in_a_batch_is_named_by_its_index()
    {
        var (_, check) = await TenantWithAliceAsync();
        var batch = new BatchAuthorizeRequest { Checks = { check, check, new AuthorizeRequest(check) { Action = "" }, check } };

        await Rpc.Invalid("checks[2].action", () => _authz.BatchAuthorizeAsync(batch).ResponseAsync);
    }

    // ---- Worlds ----------------------------------------------------------------------------------------------------

    /// <summary>A tenant whose user alice may read one bucket; returns the tenant and that check at the last revision.</summary>
    private async Task<(string Tenant, AuthorizeRequest Check)> TenantWithAliceAsync()
    {
        var t = await fixture.NewTenantAsync();
        var alice = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" })).User.Arn;
        var last = (await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "read", PolicyDocument = Rpc.Allow("s3:GetObject", $"arn:aws:s3:::*-{t}/*") })).Revision;
        return (t, new AuthorizeRequest { Principal = alice, Action = "s3:GetObject", Resource = $"arn:aws:s3:::data-{t}/x.csv", MinRevision = last });
    }

    private sealed record ServerKeyWorld(string Tenant, string Other, string Bucket, IReadOnlyDictionary<string, string> Users, ulong Revision)
    {
        public string Alice => Users["alice"];

        public string Bob => Users["bob"];

        public string Admin => Users["admin"];
    }

    /// <summary>
    /// Users alice (team=ops), bob (team=ml, clearance=top) and admin share policies that read server-owned keys: ABAC on
    /// <c>aws:PrincipalTag</c>, home folders by <c>${aws:username}</c>, a vault whose resource policy denies every
    /// <c>aws:PrincipalArn</c> but admin's, an account check and a resource tag check. Role Trainer may train only as
    /// user alice, which a role never is.
    /// </summary>
    private async Task<ServerKeyWorld> ServerKeyWorldAsync()
    {
        var t = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::keys-{t}";
        var identity = """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Abac","Effect":"Allow","Action":"s3:GetObject","Resource":"BUCKET/abac/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ml"}}},
              {"Sid":"Secret","Effect":"Allow","Action":"s3:GetObject","Resource":"BUCKET/secret/*","Condition":{"StringEquals":{"aws:PrincipalTag/clearance":"top"}}},
              {"Sid":"Home","Effect":"Allow","Action":"s3:PutObject","Resource":"BUCKET/home/${aws:username}/*"},
              {"Sid":"Vault","Effect":"Allow","Action":"s3:GetObject","Resource":"BUCKET/vault/*"},
              {"Sid":"Account","Effect":"Allow","Action":"s3:GetObject","Resource":"BUCKET/acct/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"OTHER"}}},
              {"Sid":"Tagged","Effect":"Allow","Action":"s3:GetObject","Resource":"BUCKET/tagged/*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"alice"}}}
            ]}
            """.Replace("BUCKET", bucket, StringComparison.Ordinal).Replace("OTHER", other, StringComparison.Ordinal);
        var users = new Dictionary<string, string>();
        foreach (var (name, team) in new[] { ("alice", "ops"), ("bob", "ml"), ("admin", "it") })
        {
            var tags = new List<Tag> { new() { Key = "team", Value = team } };
            if (name == "bob")
            {
                tags.Add(new Tag { Key = "clearance", Value = "top" });
            }

            users[name] = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = name, Tags = { tags } })).User.Arn;
            await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = name, PolicyName = "keys", PolicyDocument = identity });
        }

        await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = t,
            ResourceArn = bucket,
            PolicyDocument = """
                {"Version":"2012-10-17","Statement":[{"Sid":"OnlyAdmin","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"BUCKET/vault/*",
                  "Condition":{"ArnNotEquals":{"aws:PrincipalArn":"ADMIN"}}}]}
                """.Replace("BUCKET", bucket, StringComparison.Ordinal).Replace("ADMIN", users["admin"], StringComparison.Ordinal),
        });
        await _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = $"{bucket}/tagged/x", Tags = { new Tag { Key = "owner", Value = "ops" } } });
        await _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = $"{bucket}/tagged/y", Tags = { new Tag { Key = "owner", Value = "alice" } } });
        await _admin.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "Trainer", AssumeRolePolicyDocument = Rpc.Trust() });
        var last = (await _admin.PutRolePolicyAsync(new PutRolePolicyRequest
        {
            TenantId = t,
            RoleName = "Trainer",
            PolicyName = "train",
            PolicyDocument = """
                {"Version":"2012-10-17","Statement":[
                  {"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"}}},
                  {"Effect":"Allow","Action":"sagemaker:CreateModel","Resource":"*"}]}
                """,
        })).Revision;
        return new ServerKeyWorld(t, other, bucket, users, last);
    }
}
