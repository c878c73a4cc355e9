using System.Collections.Immutable;

namespace Authz.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class WriteTests(GrainCluster fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    private async Task<string> NewTenantAsync()
    {
        var tenantId = GrainCluster.NewTenantId();
        var created = await _grains.GetTenantLifecycle(tenantId).Create("test tenant");
        Assert.Equal(1UL, created.Revision);
        return tenantId;
    }

    [Fact]
    public async Task Every_write_returns_the_next_revision_and_reads_see_it()
    {
        var t = await NewTenantAsync();
        var created = await _grains.GetUser(t, "Alice").Create(new CreateUserCommand { UserName = "Alice", Path = "/ml/", Tags = [new TagEntry { Key = "team", Value = "vision" }] });
        Assert.Equal(2UL, created.Revision);
        Assert.StartsWith("AIDA", created.User.UserId);
        Assert.Equal(21, created.User.UserId.Length);
        Assert.Equal($"arn:aws:iam::{t}:user/ml/Alice", created.User.Arn);

        Assert.Equal(3UL, await _grains.GetUser(t, "alice").PutInlinePolicy("read", Documents.Allow("s3:GetObject")));
        Assert.Equal(4UL, await _grains.GetUser(t, "ALICE").Tag([new TagEntry { Key = "TEAM", Value = "nlp" }]));

        var user = await _grains.GetUser(t, "alice").Get();
        Assert.Equal("Alice", user.UserName);
        Assert.Equal([new TagEntry { Key = "TEAM", Value = "nlp" }], user.Tags.ToArray());
        Assert.Equal(["read"], (await _grains.GetUser(t, "alice").ListInlinePolicies()).ToArray());
        Assert.Equal(4UL, await _grains.GetTenant(t).GetRevision());

        var role = await _grains.GetRole(t, "Trainer").Create(new CreateRoleCommand { RoleName = "Trainer", AssumeRolePolicyDocument = Documents.Trust() });
        Assert.StartsWith("AROA", role.Role.RoleId);
        Assert.Equal(3600U, role.Role.MaxSessionDuration);
        Assert.Equal(5UL, role.Revision);
    }

    [Fact]
    public async Task Rejected_documents_change_nothing_and_report_the_cedar_style_location()
    {
        var t = await NewTenantAsync();
        await _grains.GetUser(t, "bob").Create(new CreateUserCommand { UserName = "bob" });
        var user = _grains.GetUser(t, "bob");
        await user.PutInlinePolicy("p", Documents.Allow("s3:GetObject"));
        var revision = await _grains.GetTenant(t).GetRevision();

        var malformed = await AdminAssert.Fails(AdminErrorCode.InvalidArgument, () => user.PutInlinePolicy("p", Documents.Malformed));
        var violation = Assert.Single(malformed.Violations);
        Assert.Equal("policy_document", violation.Field);
        Assert.True(violation.Line > 0);
        Assert.Contains($"(line {violation.Line}, column {violation.Column})", violation.Description);

        var unknown = await AdminAssert.Fails(AdminErrorCode.InvalidArgument, () => user.PutInlinePolicy("p", Documents.UnknownOperator));
        Assert.Contains(unknown.Violations, v => v.Description.Contains("`StringEqualz`", StringComparison.Ordinal) && v.Line == 7);

        var oversized = await AdminAssert.Fails(AdminErrorCode.InvalidArgument, () => user.PutInlinePolicy("p", Documents.Oversized(2048)));
        Assert.Contains("2048", Assert.Single(oversized.Violations).Description);

        await AdminAssert.Fails(AdminErrorCode.InvalidArgument,
            () => _grains.GetRole(t, "r").Create(new CreateRoleCommand { RoleName = "r", AssumeRolePolicyDocument = Documents.Allow("s3:*") }));

        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());
        Assert.Equal(Documents.Allow("s3:GetObject"), (await user.GetInlinePolicy("p")).Document);
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetRole(t, "r").Get());
    }

    [Fact]
    public async Task Unknown_entities_and_duplicate_names_are_refused_without_a_revision_bump()
    {
        var t = await NewTenantAsync();
        await _grains.GetUser(t, "carol").Create(new CreateUserCommand { UserName = "carol" });
        var revision = await _grains.GetTenant(t).GetRevision();

        await AdminAssert.Fails(AdminErrorCode.AlreadyExists, () => _grains.GetUser(t, "CAROL").Create(new CreateUserCommand { UserName = "CAROL" }));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "carol").AddToGroup("nobody"));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "carol").AttachPolicy($"arn:aws:iam::{t}:policy/missing"));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "dave").PutInlinePolicy("p", Documents.Allow("s3:*")));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser("999999999999", "x").Create(new CreateUserCommand { UserName = "x" }));

        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());
        Assert.Empty(await _grains.GetUser(t, "carol").ListGroups());
    }

    [Fact]
    public async Task Managed_policy_versions_are_capped_and_the_default_cannot_be_deleted()
    {
        var t = await NewTenantAsync();
        var policy = (await _grains.GetManagedPolicy(t, "ml").Create(new CreatePolicyCommand { PolicyName = "ml", Path = "/team/", Document = Documents.Allow("s3:GetObject") })).Policy;
        Assert.Equal($"arn:aws:iam::{t}:policy/team/ml", policy.Arn);
        var grain = _grains.GetManagedPolicy(policy.Arn);
        for (var i = 2; i <= 5; i++)
        {
            var created = await grain.CreateVersion(policy.Arn, Documents.Allow($"s3:Get{i}"), setAsDefault: false);
            Assert.Equal($"v{i}", created.Version.VersionId);
        }

        var revision = await _grains.GetTenant(t).GetRevision();
        var quota = await AdminAssert.Fails(AdminErrorCode.ResourceExhausted, () => grain.CreateVersion(policy.Arn, Documents.Allow("s3:Get6"), true));
        Assert.Equal(AdminErrorKinds.VersionsPerPolicy, quota.Kind);
        await AdminAssert.Fails(AdminErrorCode.FailedPrecondition, () => grain.DeleteVersion(policy.Arn, "v1"));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => grain.Get($"arn:aws:iam::{t}:policy/other/ml"));
        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());
        Assert.Equal(["v5", "v4", "v3", "v2", "v1"], (await grain.ListVersions(policy.Arn)).Select(v => v.VersionId).ToArray());

        Assert.Equal(revision + 1, await grain.DeleteVersion(policy.Arn, "v2"));
        var v6 = await grain.CreateVersion(policy.Arn, Documents.Allow("s3:Get6"), setAsDefault: true);
        Assert.Equal("v6", v6.Version.VersionId);
        Assert.Equal("v6", (await grain.Get(policy.Arn)).DefaultVersionId);
    }

    [Fact]
    public async Task Attachment_group_and_tag_quotas_refuse_the_write_past_the_limit()
    {
        var t = await NewTenantAsync();
        var user = _grains.GetUser(t, "erin");
        await user.Create(new CreateUserCommand { UserName = "erin" });
        for (var i = 0; i < 11; i++)
        {
            await _grains.GetManagedPolicy(t, $"p{i}").Create(new CreatePolicyCommand { PolicyName = $"p{i}", Document = Documents.Allow("s3:GetObject") });
            await _grains.GetGroup(t, $"g{i}").Create($"g{i}", "/");
        }

        for (var i = 0; i < 10; i++)
        {
            await user.AttachPolicy($"arn:aws:iam::{t}:policy/p{i}");
            await user.AddToGroup($"g{i}");
        }

        var revision = await _grains.GetTenant(t).GetRevision();
        Assert.Equal(AdminErrorKinds.ManagedPoliciesPerPrincipal,
            (await AdminAssert.Fails(AdminErrorCode.ResourceExhausted, () => user.AttachPolicy($"arn:aws:iam::{t}:policy/p10"))).Kind);
        Assert.Equal(AdminErrorKinds.GroupsPerUser, (await AdminAssert.Fails(AdminErrorCode.ResourceExhausted, () => user.AddToGroup("g10"))).Kind);
        var tags = Enumerable.Range(0, 51).Select(i => new TagEntry { Key = $"k{i}", Value = "v" }).ToImmutableArray();
        Assert.Equal(AdminErrorKinds.TagsPerEntity, (await AdminAssert.Fails(AdminErrorCode.ResourceExhausted, () => user.Tag(tags))).Kind);

        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());
        Assert.Equal(10, (await user.ListAttachedPolicies()).Length);
        Assert.Equal(10, (await user.ListGroups()).Length);
        Assert.Empty((await user.Get()).Tags);
        Assert.Equal(0, (await _grains.GetManagedPolicy(t, "p10").Get($"arn:aws:iam::{t}:policy/p10")).AttachmentCount);
        Assert.Empty(await _grains.GetGroup(t, "g10").ListMembers());

        // Attaching again what is attached changes nothing and returns the current revision.
        Assert.Equal(revision, await user.AttachPolicy($"arn:aws:iam::{t}:policy/p0"));
    }

    [Fact]
    public async Task Deletes_are_refused_while_references_remain_as_in_aws()
    {
        var t = await NewTenantAsync();
        var arn = (await _grains.GetManagedPolicy(t, "shared").Create(new CreatePolicyCommand { PolicyName = "shared", Document = Documents.Allow("s3:*") })).Policy.Arn;
        var user = _grains.GetUser(t, "frank");
        await user.Create(new CreateUserCommand { UserName = "frank", PermissionsBoundaryArn = arn });
        var group = _grains.GetGroup(t, "devs");
        await group.Create("devs", "/");
        await user.AddToGroup("devs");
        await group.AttachPolicy(arn);
        var policy = _grains.GetManagedPolicy(arn);
        Assert.Equal(1, (await policy.Get(arn)).AttachmentCount);
        Assert.Equal(1, (await policy.Get(arn)).PermissionsBoundaryUsageCount);

        var revision = await _grains.GetTenant(t).GetRevision();
        Assert.Equal(AdminErrorKinds.DeleteConflict, (await AdminAssert.Fails(AdminErrorCode.FailedPrecondition, () => policy.Delete(arn))).Kind);
        await AdminAssert.Fails(AdminErrorCode.FailedPrecondition, () => user.Delete());
        await AdminAssert.Fails(AdminErrorCode.FailedPrecondition, () => group.Delete());
        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());

        await group.DetachPolicy(arn);
        await AdminAssert.Fails(AdminErrorCode.FailedPrecondition, () => policy.Delete(arn));
        await user.DeletePermissionsBoundary();
        await user.RemoveFromGroup("devs");
        await policy.Delete(arn);
        await group.Delete();
        var final = await user.Delete();
        Assert.Equal(revision + 6, final);
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => user.Get());
        var page = await _grains.GetTenant(t).ListDirectory(EntityKind.User, "", null, 10);
        Assert.Empty(page.Entries);
    }

    [Fact]
    public async Task A_reverse_entry_left_by_a_crash_is_pruned_instead_of_blocking_the_delete()
    {
        var t = await NewTenantAsync();
        var arn = (await _grains.GetManagedPolicy(t, "p").Create(new CreatePolicyCommand { PolicyName = "p", Document = Documents.Allow("s3:*") })).Policy.Arn;
        await _grains.GetUser(t, "gina").Create(new CreateUserCommand { UserName = "gina" });

        // What a crash between the policy's write and the user's leaves behind: the policy lists a use the user never committed.
        await _grains.GetManagedPolicy(arn).AddAttachment(arn, new PolicyAttachment { Kind = EntityKind.User, Name = "gina", Id = "AIDAXXXXXXXXXXXXXXXXX" });
        Assert.Equal(1, (await _grains.GetManagedPolicy(arn).Get(arn)).AttachmentCount);

        await _grains.GetManagedPolicy(arn).Delete(arn);
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetManagedPolicy(arn).Get(arn));
    }

    [Fact]
    public async Task Deleting_a_tenant_purges_everything_and_a_new_tenant_continues_the_revision()
    {
        var t = await NewTenantAsync();
        var arn = (await _grains.GetManagedPolicy(t, "p").Create(new CreatePolicyCommand { PolicyName = "p", Document = Documents.Allow("s3:*") })).Policy.Arn;
        await _grains.GetUser(t, "hank").Create(new CreateUserCommand { UserName = "hank" });
        await _grains.GetUser(t, "hank").AttachPolicy(arn);
        await _grains.GetResource($"arn:aws:s3:::bucket-{t}").PutPolicy(t, Documents.BucketPolicy($"arn:aws:iam::{t}:root", "s3:GetObject", $"arn:aws:s3:::bucket-{t}/*"));
        await _grains.GetTenant(t).PutGuardrail("only-s3", Documents.Allow("s3:*"));

        var final = await _grains.GetTenantLifecycle(t).Delete();
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetTenant(t).Get());
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "hank").Get());
        Assert.False((await _grains.GetUser(t, "hank").GetSnapshot(0)).Exists);
        Assert.False((await _grains.GetResource($"arn:aws:s3:::bucket-{t}").GetSnapshot(0)).Registered);
        Assert.Empty((await _grains.GetResourceTree($"arn:aws:s3:::bucket-{t}").GetView()).Entries);

        var again = await _grains.GetTenantLifecycle(t).Create("again");
        Assert.True(again.Revision > final);
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "hank").Get());
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetManagedPolicy(arn).Get(arn));
        Assert.Empty(await _grains.GetTenant(t).ListGuardrails());
    }
}
