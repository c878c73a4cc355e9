using Authz.V1;
using Google.Rpc;
using Grpc.Core;

namespace Authz.Server.Tests;

/// <summary>The admin API over real gRPC (h2c on loopback) against the real host, storage and grains.</summary>
[Collection(AdminApiCollection.Name)]
public sealed class AdminApiTests(AdminApiFixture fixture)
{
    private readonly Admin.AdminClient _admin = fixture.Admin;

    [Fact]
    public async Task Identities_policies_and_attachments_round_trip_with_increasing_revisions()
    {
        var t = await fixture.NewTenantAsync();
        var user = await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice", Path = "/ml/", Tags = { new Tag { Key = "team", Value = "vision" } } });
        Assert.Equal(2UL, user.Revision);
        Assert.Equal($"arn:aws:iam::{t}:user/ml/alice", user.User.Arn);
        Assert.StartsWith("AIDA", user.User.UserId);

        var policy = await _admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "read", PolicyDocument = Rpc.Allow("s3:GetObject") });
        Assert.Equal("v1", policy.Policy.DefaultVersionId);
        var arn = policy.Policy.Arn;
        var group = await _admin.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "scientists" });
        Assert.StartsWith("AGPA", group.Group.GroupId);
        var role = await _admin.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "Trainer", AssumeRolePolicyDocument = Rpc.Trust() });
        Assert.StartsWith("AROA", role.Role.RoleId);

        var r1 = (await _admin.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "scientists", UserName = "alice" })).Revision;
        var r2 = (await _admin.AttachGroupPolicyAsync(new AttachGroupPolicyRequest { TenantId = t, GroupName = "scientists", PolicyArn = arn })).Revision;
        var r3 = (await _admin.AttachRolePolicyAsync(new AttachRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyArn = arn })).Revision;
        var r4 = (await _admin.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = arn })).Revision;
        Assert.Equal(r4, (await _admin.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = arn })).Revision);
        var r5 = (await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "own", PolicyDocument = Rpc.Allow("s3:PutObject") })).Revision;
        var r6 = (await _admin.PutGroupPolicyAsync(new PutGroupPolicyRequest { TenantId = t, GroupName = "scientists", PolicyName = "g", PolicyDocument = Rpc.Allow("ec2:*") })).Revision;
        var r7 = (await _admin.PutRolePolicyAsync(new PutRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyName = "r", PolicyDocument = Rpc.Allow("sagemaker:*") })).Revision;
        var r8 = (await _admin.PutRolePermissionsBoundaryAsync(new PutRolePermissionsBoundaryRequest { TenantId = t, RoleName = "Trainer", PolicyArn = arn })).Revision;
        var r9 = (await _admin.UpdateAssumeRolePolicyAsync(new UpdateAssumeRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyDocument = Rpc.Trust() })).Revision;
        var r10 = (await _admin.TagRoleAsync(new TagRoleRequest { TenantId = t, RoleName = "Trainer", Tags = { new Tag { Key = "env", Value = "prod" } } })).Revision;
        ulong[] revisions = [user.Revision, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10];
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Length, revisions.Distinct().Count());
        Assert.Equal(r10, await fixture.RevisionAsync(t));

        Assert.Equal("/ml/", (await _admin.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "ALICE" })).User.Path);
        Assert.Equal(["scientists"], (await _admin.ListGroupsForUserAsync(new ListGroupsForUserRequest { TenantId = t, UserName = "alice" })).Groups.Select(g => g.GroupName));
        Assert.Equal(["alice"], (await _admin.GetGroupAsync(new GetGroupRequest { TenantId = t, GroupName = "scientists" })).Users.Select(u => u.UserName));
        Assert.Equal([arn], (await _admin.ListAttachedUserPoliciesAsync(new ListAttachedUserPoliciesRequest { TenantId = t, UserName = "alice" })).AttachedPolicies.Select(p => p.PolicyArn));
        Assert.Equal([arn], (await _admin.ListAttachedGroupPoliciesAsync(new ListAttachedGroupPoliciesRequest { TenantId = t, GroupName = "scientists" })).AttachedPolicies.Select(p => p.PolicyArn));
        Assert.Equal([arn], (await _admin.ListAttachedRolePoliciesAsync(new ListAttachedRolePoliciesRequest { TenantId = t, RoleName = "Trainer" })).AttachedPolicies.Select(p => p.PolicyArn));
        Assert.Equal(["own"], (await _admin.ListUserPoliciesAsync(new ListUserPoliciesRequest { TenantId = t, UserName = "alice" })).PolicyNames);
        Assert.Equal(["g"], (await _admin.ListGroupPoliciesAsync(new ListGroupPoliciesRequest { TenantId = t, GroupName = "scientists" })).PolicyNames);
        Assert.Equal(["r"], (await _admin.ListRolePoliciesAsync(new ListRolePoliciesRequest { TenantId = t, RoleName = "Trainer" })).PolicyNames);
        Assert.Equal(Rpc.Allow("s3:PutObject"), (await _admin.GetUserPolicyAsync(new GetUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "own" })).PolicyDocument);
        Assert.Equal(Rpc.Allow("ec2:*"), (await _admin.GetGroupPolicyAsync(new GetGroupPolicyRequest { TenantId = t, GroupName = "scientists", PolicyName = "g" })).PolicyDocument);
        Assert.Equal(Rpc.Allow("sagemaker:*"), (await _admin.GetRolePolicyAsync(new GetRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyName = "r" })).PolicyDocument);
        var roleRead = (await _admin.GetRoleAsync(new GetRoleRequest { TenantId = t, RoleName = "trainer" })).Role;
        Assert.Equal(arn, roleRead.PermissionsBoundary.PermissionsBoundaryArn);
        Assert.Equal(3600U, roleRead.MaxSessionDuration);
        Assert.Equal(["env"], (await _admin.ListRoleTagsAsync(new ListRoleTagsRequest { TenantId = t, RoleName = "Trainer" })).Tags.Select(x => x.Key));
        Assert.Equal(["team"], (await _admin.ListUserTagsAsync(new ListUserTagsRequest { TenantId = t, UserName = "alice" })).Tags.Select(x => x.Key));

        var read = (await _admin.GetPolicyAsync(new GetPolicyRequest { PolicyArn = arn })).Policy;
        Assert.Equal(3U, read.AttachmentCount);
        Assert.Equal(1U, read.PermissionsBoundaryUsageCount);
        var entities = await _admin.ListEntitiesForPolicyAsync(new ListEntitiesForPolicyRequest { PolicyArn = arn });
        Assert.Equal(["alice"], entities.PolicyUsers.Select(u => u.UserName));
        Assert.Equal(["scientists"], entities.PolicyGroups.Select(g => g.GroupName));
        Assert.Equal(["Trainer"], entities.PolicyRoles.Select(r => r.RoleName));
        var boundaries = await _admin.ListEntitiesForPolicyAsync(new ListEntitiesForPolicyRequest { PolicyArn = arn, EntityFilter = EntityFilter.PermissionsBoundary });
        Assert.Equal(["Trainer"], boundaries.PolicyRoles.Select(r => r.RoleName));
        Assert.Empty(boundaries.PolicyUsers);
        Assert.Equal(["read"], (await _admin.ListPoliciesAsync(new ListPoliciesRequest { TenantId = t, OnlyAttached = true })).Policies.Select(p => p.PolicyName));

        var v2 = await _admin.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { PolicyArn = arn, PolicyDocument = Rpc.Allow("s3:ListBucket"), SetAsDefault = true });
        Assert.Equal("v2", v2.PolicyVersion.VersionId);
        Assert.Equal(["v2", "v1"], (await _admin.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PolicyArn = arn })).Versions.Select(v => v.VersionId));
        await _admin.SetDefaultPolicyVersionAsync(new SetDefaultPolicyVersionRequest { PolicyArn = arn, VersionId = "v1" });
        Assert.True((await _admin.GetPolicyVersionAsync(new GetPolicyVersionRequest { PolicyArn = arn, VersionId = "v1" })).PolicyVersion.IsDefaultVersion);
        await _admin.DeletePolicyVersionAsync(new DeletePolicyVersionRequest { PolicyArn = arn, VersionId = "v2" });

        // Undo everything in AWS's order, then delete.
        await _admin.DetachUserPolicyAsync(new DetachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = arn });
        await _admin.DetachGroupPolicyAsync(new DetachGroupPolicyRequest { TenantId = t, GroupName = "scientists", PolicyArn = arn });
        await _admin.DetachRolePolicyAsync(new DetachRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyArn = arn });
        await _admin.DeleteRolePermissionsBoundaryAsync(new DeleteRolePermissionsBoundaryRequest { TenantId = t, RoleName = "Trainer" });
        await _admin.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "own" });
        await _admin.DeleteGroupPolicyAsync(new DeleteGroupPolicyRequest { TenantId = t, GroupName = "scientists", PolicyName = "g" });
        await _admin.DeleteRolePolicyAsync(new DeleteRolePolicyRequest { TenantId = t, RoleName = "Trainer", PolicyName = "r" });
        await _admin.RemoveUserFromGroupAsync(new RemoveUserFromGroupRequest { TenantId = t, GroupName = "scientists", UserName = "alice" });
        await _admin.UntagUserAsync(new UntagUserRequest { TenantId = t, UserName = "alice", TagKeys = { "team" } });
        await _admin.UntagRoleAsync(new UntagRoleRequest { TenantId = t, RoleName = "Trainer", TagKeys = { "env" } });
        await _admin.DeletePolicyAsync(new DeletePolicyRequest { PolicyArn = arn });
        await _admin.DeleteGroupAsync(new DeleteGroupRequest { TenantId = t, GroupName = "scientists" });
        await _admin.DeleteRoleAsync(new DeleteRoleRequest { TenantId = t, RoleName = "Trainer" });
        var last = await _admin.DeleteUserAsync(new DeleteUserRequest { TenantId = t, UserName = "alice" });
        Assert.Equal(last.Revision, await fixture.RevisionAsync(t));
        Assert.Empty((await _admin.ListUsersAsync(new ListUsersRequest { TenantId = t })).Users);
    }

    [Fact]
    public async Task Users_page_with_opaque_tokens_bound_to_the_call()
    {
        var t = await fixture.NewTenantAsync();
        foreach (var name in new[] { "e", "b", "d", "a", "c" })
        {
            await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = name, Path = name == "e" ? "/other/" : "/" });
        }

        var names = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await _admin.ListUsersAsync(new ListUsersRequest { TenantId = t, MaxItems = 2, PageToken = token });
            names.AddRange(page.Users.Select(u => u.UserName));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(["a", "b", "c", "d", "e"], names);
        Assert.Equal(3, pages);
        Assert.Equal(["e"], (await _admin.ListUsersAsync(new ListUsersRequest { TenantId = t, PathPrefix = "/other/" })).Users.Select(u => u.UserName));

        var first = await _admin.ListUsersAsync(new ListUsersRequest { TenantId = t, MaxItems = 2 });
        await Rpc.Invalid("page_token", () => _admin.ListUsersAsync(new ListUsersRequest { TenantId = t, PathPrefix = "/other/", PageToken = first.NextPageToken }).ResponseAsync);
        await Rpc.Invalid("page_token", () => _admin.ListRolesAsync(new ListRolesRequest { TenantId = t, PageToken = first.NextPageToken }).ResponseAsync);
        await Rpc.Invalid("page_token", () => _admin.ListUsersAsync(new ListUsersRequest { TenantId = t, PageToken = "not-a-token" }).ResponseAsync);
    }

    [Fact]
    public async Task Resources_and_guardrails_round_trip_and_stay_with_their_tenant()
    {
        var t = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::api-{t}";
        var registered = await _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = bucket, Tags = { new Tag { Key = "class", Value = "pii" } } });
        Assert.Equal(t, registered.Resource.TenantId);
        var put = await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = bucket, PolicyDocument = Rpc.BucketPolicy(other, bucket + "/*") });
        Assert.True(put.Revision > registered.Revision);
        Assert.True((await _admin.GetResourceAsync(new GetResourceRequest { TenantId = t, ResourceArn = bucket })).Resource.HasResourcePolicy);
        Assert.Equal(Rpc.BucketPolicy(other, bucket + "/*"), (await _admin.GetResourcePolicyAsync(new GetResourcePolicyRequest { TenantId = t, ResourceArn = bucket })).PolicyDocument);
        await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = bucket + "/models", PolicyDocument = Rpc.BucketPolicy(t, bucket + "/models/*") });
        Assert.Equal([bucket, bucket + "/models"], (await _admin.ListResourcesAsync(new ListResourcesRequest { TenantId = t, ArnPrefix = bucket })).Resources.Select(r => r.ResourceArn));

        var otherRevision = await fixture.RevisionAsync(other);
        await Rpc.Fails(StatusCode.PermissionDenied, () => _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = other, ResourceArn = bucket, PolicyDocument = Rpc.BucketPolicy(other, "*") }).ResponseAsync);
        await Rpc.Fails(StatusCode.PermissionDenied, () => _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = other, ResourceArn = bucket + "/x" }).ResponseAsync);
        await Rpc.Fails(StatusCode.NotFound, () => _admin.GetResourceAsync(new GetResourceRequest { TenantId = other, ResourceArn = bucket }).ResponseAsync);
        Assert.Equal(otherRevision, await fixture.RevisionAsync(other));

        await _admin.DeleteResourcePolicyAsync(new DeleteResourcePolicyRequest { TenantId = t, ResourceArn = bucket });
        await Rpc.Fails(StatusCode.NotFound, () => _admin.GetResourcePolicyAsync(new GetResourcePolicyRequest { TenantId = t, ResourceArn = bucket }).ResponseAsync);
        await _admin.DeregisterResourceAsync(new DeregisterResourceRequest { TenantId = t, ResourceArn = bucket });
        await Rpc.Fails(StatusCode.NotFound, () => _admin.GetResourceAsync(new GetResourceRequest { TenantId = t, ResourceArn = bucket }).ResponseAsync);

        var g = await _admin.PutTenantGuardrailAsync(new PutTenantGuardrailRequest { TenantId = t, Name = "s3-only", PolicyDocument = Rpc.Allow("s3:*") });
        Assert.Equal(g.Revision, await fixture.RevisionAsync(t));
        Assert.Equal(Rpc.Allow("s3:*"), (await _admin.GetTenantGuardrailAsync(new GetTenantGuardrailRequest { TenantId = t, Name = "s3-only" })).Guardrail.PolicyDocument);
        Assert.Equal(["s3-only"], (await _admin.ListTenantGuardrailsAsync(new ListTenantGuardrailsRequest { TenantId = t })).Guardrails.Select(x => x.Name));
        await _admin.DeleteTenantGuardrailAsync(new DeleteTenantGuardrailRequest { TenantId = t, Name = "s3-only" });
        Assert.Empty((await _admin.ListTenantGuardrailsAsync(new ListTenantGuardrailsRequest { TenantId = t })).Guardrails);
    }

    [Fact]
    public async Task Tenants_are_listed_read_and_deleted_with_everything_in_them()
    {
        var t = await fixture.NewTenantAsync();
        await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "zed" });
        Assert.Equal("api tests", (await _admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Name);
        var all = new List<string>();
        var token = "";
        do
        {
            var page = await _admin.ListTenantsAsync(new ListTenantsRequest { MaxItems = 1, PageToken = token });
            all.AddRange(page.Tenants.Select(x => x.TenantId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Contains(t, all);

        await Rpc.Fails(StatusCode.AlreadyExists, () => _admin.CreateTenantAsync(new CreateTenantRequest { TenantId = t, Name = "again" }).ResponseAsync);
        var deleted = await _admin.DeleteTenantAsync(new DeleteTenantRequest { TenantId = t });
        await Rpc.Fails(StatusCode.NotFound, () => _admin.GetTenantAsync(new GetTenantRequest { TenantId = t }).ResponseAsync);
        await Rpc.Fails(StatusCode.NotFound, () => _admin.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "zed" }).ResponseAsync);
        var again = await _admin.CreateTenantAsync(new CreateTenantRequest { TenantId = t, Name = "again" });
        Assert.True(again.Revision > deleted.Revision);
    }

    [Fact]
    public async Task ValidatePolicy_returns_findings_rather_than_errors()
    {
        var ok = await _admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = Rpc.Allow("s3:GetObject"), PolicyType = Authz.V1.PolicyType.Identity });
        Assert.True(ok.Valid);

        var bad = await _admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = Rpc.UnknownOperator, PolicyType = Authz.V1.PolicyType.Identity });
        Assert.False(bad.Valid);
        var finding = Assert.Single(bad.Findings, f => f.Severity == FindingSeverity.Error);
        Assert.Contains("`StringEqualz`", finding.Message);
        Assert.Equal(7U, finding.Line);

        var trust = await _admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = Rpc.Allow("s3:GetObject"), PolicyType = Authz.V1.PolicyType.RoleTrust });
        Assert.False(trust.Valid);

        await Rpc.Invalid("policy_type", () => _admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync);
    }
}
