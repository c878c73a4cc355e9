using Authz.V1;
using Google.Rpc;
using Grpc.Core;
using Xunit.Sdk;

namespace Authz.Server.Tests;

/// <summary>
/// Bad input at every RPC: malformed and oversized documents, invalid names and ARNs, unknown entities, quota
/// overruns and conflicts. Each answers with the contract's status and details, and nothing changes.
/// </summary>
[Collection(AdminApiCollection.Name)]
public sealed class AdminApiBadInputTests(AdminApiFixture fixture)
{
    private readonly Admin.AdminClient _a = fixture.Admin;

    private sealed record Case(string Label, StatusCode Code, string? Field, Func<Task> Call);

    [Fact]
    public async Task Every_rpc_refuses_bad_input_with_the_right_status_and_changes_nothing()
    {
        var t = await fixture.NewTenantAsync();
        var arn = (await _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "p", PolicyDocument = Rpc.Allow("s3:GetObject") })).Policy.Arn;
        await _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "u" });
        await _a.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "g" });
        await _a.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "r", AssumeRolePolicyDocument = Rpc.Trust() });
        await _a.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "u", PolicyArn = arn });
        await _a.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "g", UserName = "u" });
        await _a.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "inline", PolicyDocument = Rpc.Allow("s3:GetObject") });
        var missingArn = $"arn:aws:iam::{t}:policy/missing";
        var foreignArn = "arn:aws:iam::123456789012:policy/p";
        var resource = $"arn:aws:s3:::bad-{t}";
        var before = await fixture.RevisionAsync(t);

        Case[] cases =
        [
            // tenants
            new("CreateTenant bad id", StatusCode.InvalidArgument, "tenant_id", () => _a.CreateTenantAsync(new CreateTenantRequest { TenantId = "12", Name = "x" }).ResponseAsync),
            new("CreateTenant no name", StatusCode.InvalidArgument, "name", () => _a.CreateTenantAsync(new CreateTenantRequest { TenantId = "100000000001" }).ResponseAsync),
            new("CreateTenant taken", StatusCode.AlreadyExists, null, () => _a.CreateTenantAsync(new CreateTenantRequest { TenantId = t, Name = "x" }).ResponseAsync),
            new("GetTenant bad id", StatusCode.InvalidArgument, "tenant_id", () => _a.GetTenantAsync(new GetTenantRequest { TenantId = "abc" }).ResponseAsync),
            new("GetTenant unknown", StatusCode.NotFound, null, () => _a.GetTenantAsync(new GetTenantRequest { TenantId = "100000000002" }).ResponseAsync),
            new("ListTenants bad token", StatusCode.InvalidArgument, "page_token", () => _a.ListTenantsAsync(new ListTenantsRequest { PageToken = "%%" }).ResponseAsync),
            new("DeleteTenant unknown", StatusCode.NotFound, null, () => _a.DeleteTenantAsync(new DeleteTenantRequest { TenantId = "100000000003" }).ResponseAsync),
            // users
            new("CreateUser bad name", StatusCode.InvalidArgument, "user_name", () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "bad name" }).ResponseAsync),
            new("CreateUser long name", StatusCode.InvalidArgument, "user_name", () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = new string('a', 65) }).ResponseAsync),
            new("CreateUser bad path", StatusCode.InvalidArgument, "path", () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "v", Path = "ml" }).ResponseAsync),
            new("CreateUser bad tag", StatusCode.InvalidArgument, "tags[0].key", () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "v", Tags = { new Tag { Key = "aws:x" } } }).ResponseAsync),
            new("CreateUser bad boundary", StatusCode.InvalidArgument, "permissions_boundary", () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "v", PermissionsBoundary = "arn:aws:s3:::x" }).ResponseAsync),
            new("CreateUser unknown boundary", StatusCode.NotFound, null, () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "v", PermissionsBoundary = missingArn }).ResponseAsync),
            new("CreateUser taken", StatusCode.AlreadyExists, null, () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "U" }).ResponseAsync),
            new("CreateUser unknown tenant", StatusCode.NotFound, null, () => _a.CreateUserAsync(new CreateUserRequest { TenantId = "100000000004", UserName = "v" }).ResponseAsync),
            new("CreateUser too many tags", StatusCode.ResourceExhausted, null, () => _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "v", Tags = { Enumerable.Range(0, 51).Select(i => new Tag { Key = $"k{i}" }) } }).ResponseAsync),
            new("GetUser unknown", StatusCode.NotFound, null, () => _a.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            new("GetUser bad name", StatusCode.InvalidArgument, "user_name", () => _a.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "" }).ResponseAsync),
            new("ListUsers bad prefix", StatusCode.InvalidArgument, "path_prefix", () => _a.ListUsersAsync(new ListUsersRequest { TenantId = t, PathPrefix = "ml" }).ResponseAsync),
            new("ListUsers unknown tenant", StatusCode.NotFound, null, () => _a.ListUsersAsync(new ListUsersRequest { TenantId = "100000000005" }).ResponseAsync),
            new("DeleteUser with policies", StatusCode.FailedPrecondition, null, () => _a.DeleteUserAsync(new DeleteUserRequest { TenantId = t, UserName = "u" }).ResponseAsync),
            new("DeleteUser unknown", StatusCode.NotFound, null, () => _a.DeleteUserAsync(new DeleteUserRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            new("TagUser duplicate keys", StatusCode.InvalidArgument, "tags[1].key", () => _a.TagUserAsync(new TagUserRequest { TenantId = t, UserName = "u", Tags = { new Tag { Key = "a" }, new Tag { Key = "A" } } }).ResponseAsync),
            new("TagUser over quota", StatusCode.ResourceExhausted, null, () => _a.TagUserAsync(new TagUserRequest { TenantId = t, UserName = "u", Tags = { Enumerable.Range(0, 51).Select(i => new Tag { Key = $"k{i}" }) } }).ResponseAsync),
            new("UntagUser empty key", StatusCode.InvalidArgument, "tag_keys[0]", () => _a.UntagUserAsync(new UntagUserRequest { TenantId = t, UserName = "u", TagKeys = { "" } }).ResponseAsync),
            new("ListUserTags unknown", StatusCode.NotFound, null, () => _a.ListUserTagsAsync(new ListUserTagsRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            // groups
            new("CreateGroup bad name", StatusCode.InvalidArgument, "group_name", () => _a.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "a/b" }).ResponseAsync),
            new("CreateGroup taken", StatusCode.AlreadyExists, null, () => _a.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "G" }).ResponseAsync),
            new("GetGroup unknown", StatusCode.NotFound, null, () => _a.GetGroupAsync(new GetGroupRequest { TenantId = t, GroupName = "nobody" }).ResponseAsync),
            new("ListGroups bad tenant", StatusCode.InvalidArgument, "tenant_id", () => _a.ListGroupsAsync(new ListGroupsRequest { TenantId = "x" }).ResponseAsync),
            new("DeleteGroup with members", StatusCode.FailedPrecondition, null, () => _a.DeleteGroupAsync(new DeleteGroupRequest { TenantId = t, GroupName = "g" }).ResponseAsync),
            new("AddUserToGroup unknown group", StatusCode.NotFound, null, () => _a.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "nobody", UserName = "u" }).ResponseAsync),
            new("AddUserToGroup bad user", StatusCode.InvalidArgument, "user_name", () => _a.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "g", UserName = "a b" }).ResponseAsync),
            new("RemoveUserFromGroup not member", StatusCode.NotFound, null, () => _a.RemoveUserFromGroupAsync(new RemoveUserFromGroupRequest { TenantId = t, GroupName = "other", UserName = "u" }).ResponseAsync),
            new("ListGroupsForUser unknown", StatusCode.NotFound, null, () => _a.ListGroupsForUserAsync(new ListGroupsForUserRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            // roles
            new("CreateRole malformed trust", StatusCode.InvalidArgument, "assume_role_policy_document", () => _a.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "r2", AssumeRolePolicyDocument = Rpc.Malformed }).ResponseAsync),
            new("CreateRole trust without principal", StatusCode.InvalidArgument, "assume_role_policy_document", () => _a.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "r2", AssumeRolePolicyDocument = Rpc.Allow("sts:AssumeRole") }).ResponseAsync),
            new("CreateRole bad duration", StatusCode.InvalidArgument, "max_session_duration", () => _a.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "r2", AssumeRolePolicyDocument = Rpc.Trust(), MaxSessionDuration = 60 }).ResponseAsync),
            new("CreateRole taken", StatusCode.AlreadyExists, null, () => _a.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "R", AssumeRolePolicyDocument = Rpc.Trust() }).ResponseAsync),
            new("GetRole unknown", StatusCode.NotFound, null, () => _a.GetRoleAsync(new GetRoleRequest { TenantId = t, RoleName = "nobody" }).ResponseAsync),
            new("ListRoles bad token", StatusCode.InvalidArgument, "page_token", () => _a.ListRolesAsync(new ListRolesRequest { TenantId = t, PageToken = "eA" }).ResponseAsync),
            new("UpdateAssumeRolePolicy malformed", StatusCode.InvalidArgument, "policy_document", () => _a.UpdateAssumeRolePolicyAsync(new UpdateAssumeRolePolicyRequest { TenantId = t, RoleName = "r", PolicyDocument = Rpc.Malformed }).ResponseAsync),
            new("DeleteRole unknown", StatusCode.NotFound, null, () => _a.DeleteRoleAsync(new DeleteRoleRequest { TenantId = t, RoleName = "nobody" }).ResponseAsync),
            new("TagRole bad value", StatusCode.InvalidArgument, "tags[0].value", () => _a.TagRoleAsync(new TagRoleRequest { TenantId = t, RoleName = "r", Tags = { new Tag { Key = "k", Value = "a\u0001" } } }).ResponseAsync),
            new("UntagRole unknown", StatusCode.NotFound, null, () => _a.UntagRoleAsync(new UntagRoleRequest { TenantId = t, RoleName = "nobody", TagKeys = { "k" } }).ResponseAsync),
            new("ListRoleTags bad name", StatusCode.InvalidArgument, "role_name", () => _a.ListRoleTagsAsync(new ListRoleTagsRequest { TenantId = t, RoleName = "a*" }).ResponseAsync),
            // managed policies
            new("CreatePolicy malformed", StatusCode.InvalidArgument, "policy_document", () => _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "q", PolicyDocument = Rpc.Malformed }).ResponseAsync),
            new("CreatePolicy oversized", StatusCode.InvalidArgument, "policy_document", () => _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "q", PolicyDocument = Rpc.Oversized(6144) }).ResponseAsync),
            new("CreatePolicy empty", StatusCode.InvalidArgument, "policy_document", () => _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "q" }).ResponseAsync),
            new("CreatePolicy taken", StatusCode.AlreadyExists, null, () => _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "P", PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
            new("GetPolicy bad arn", StatusCode.InvalidArgument, "policy_arn", () => _a.GetPolicyAsync(new GetPolicyRequest { PolicyArn = "arn:aws:iam::1:policy/p" }).ResponseAsync),
            new("GetPolicy unknown", StatusCode.NotFound, null, () => _a.GetPolicyAsync(new GetPolicyRequest { PolicyArn = missingArn }).ResponseAsync),
            new("GetPolicy wrong path", StatusCode.NotFound, null, () => _a.GetPolicyAsync(new GetPolicyRequest { PolicyArn = $"arn:aws:iam::{t}:policy/x/p" }).ResponseAsync),
            new("ListPolicies bad prefix", StatusCode.InvalidArgument, "path_prefix", () => _a.ListPoliciesAsync(new ListPoliciesRequest { TenantId = t, PathPrefix = "x" }).ResponseAsync),
            new("DeletePolicy attached", StatusCode.FailedPrecondition, null, () => _a.DeletePolicyAsync(new DeletePolicyRequest { PolicyArn = arn }).ResponseAsync),
            new("CreatePolicyVersion unknown operator", StatusCode.InvalidArgument, "policy_document", () => _a.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { PolicyArn = arn, PolicyDocument = Rpc.UnknownOperator }).ResponseAsync),
            new("CreatePolicyVersion unknown policy", StatusCode.NotFound, null, () => _a.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { PolicyArn = missingArn, PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
            new("GetPolicyVersion bad id", StatusCode.InvalidArgument, "version_id", () => _a.GetPolicyVersionAsync(new GetPolicyVersionRequest { PolicyArn = arn, VersionId = "1" }).ResponseAsync),
            new("GetPolicyVersion unknown", StatusCode.NotFound, null, () => _a.GetPolicyVersionAsync(new GetPolicyVersionRequest { PolicyArn = arn, VersionId = "v9" }).ResponseAsync),
            new("ListPolicyVersions bad arn", StatusCode.InvalidArgument, "policy_arn", () => _a.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PolicyArn = "" }).ResponseAsync),
            new("SetDefaultPolicyVersion unknown", StatusCode.NotFound, null, () => _a.SetDefaultPolicyVersionAsync(new SetDefaultPolicyVersionRequest { PolicyArn = arn, VersionId = "v7" }).ResponseAsync),
            new("DeletePolicyVersion default", StatusCode.FailedPrecondition, null, () => _a.DeletePolicyVersionAsync(new DeletePolicyVersionRequest { PolicyArn = arn, VersionId = "v1" }).ResponseAsync),
            new("ListEntitiesForPolicy bad filter", StatusCode.InvalidArgument, "entity_filter", () => _a.ListEntitiesForPolicyAsync(new ListEntitiesForPolicyRequest { PolicyArn = arn, EntityFilter = (EntityFilter)42 }).ResponseAsync),
            // attachments
            new("AttachUserPolicy foreign arn", StatusCode.InvalidArgument, "policy_arn", () => _a.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "u", PolicyArn = foreignArn }).ResponseAsync),
            new("AttachUserPolicy unknown policy", StatusCode.NotFound, null, () => _a.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "u", PolicyArn = missingArn }).ResponseAsync),
            new("DetachUserPolicy not attached", StatusCode.NotFound, null, () => _a.DetachUserPolicyAsync(new DetachUserPolicyRequest { TenantId = t, UserName = "u", PolicyArn = missingArn }).ResponseAsync),
            new("ListAttachedUserPolicies unknown", StatusCode.NotFound, null, () => _a.ListAttachedUserPoliciesAsync(new ListAttachedUserPoliciesRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            new("AttachGroupPolicy unknown group", StatusCode.NotFound, null, () => _a.AttachGroupPolicyAsync(new AttachGroupPolicyRequest { TenantId = t, GroupName = "nobody", PolicyArn = arn }).ResponseAsync),
            new("DetachGroupPolicy bad arn", StatusCode.InvalidArgument, "policy_arn", () => _a.DetachGroupPolicyAsync(new DetachGroupPolicyRequest { TenantId = t, GroupName = "g", PolicyArn = "p" }).ResponseAsync),
            new("ListAttachedGroupPolicies bad prefix", StatusCode.InvalidArgument, "path_prefix", () => _a.ListAttachedGroupPoliciesAsync(new ListAttachedGroupPoliciesRequest { TenantId = t, GroupName = "g", PathPrefix = "x" }).ResponseAsync),
            new("AttachRolePolicy unknown role", StatusCode.NotFound, null, () => _a.AttachRolePolicyAsync(new AttachRolePolicyRequest { TenantId = t, RoleName = "nobody", PolicyArn = arn }).ResponseAsync),
            new("DetachRolePolicy not attached", StatusCode.NotFound, null, () => _a.DetachRolePolicyAsync(new DetachRolePolicyRequest { TenantId = t, RoleName = "r", PolicyArn = arn }).ResponseAsync),
            new("ListAttachedRolePolicies bad tenant", StatusCode.InvalidArgument, "tenant_id", () => _a.ListAttachedRolePoliciesAsync(new ListAttachedRolePoliciesRequest { TenantId = "", RoleName = "r" }).ResponseAsync),
            // inline policies
            new("PutUserPolicy malformed", StatusCode.InvalidArgument, "policy_document", () => _a.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "inline", PolicyDocument = Rpc.Malformed }).ResponseAsync),
            new("PutUserPolicy oversized", StatusCode.InvalidArgument, "policy_document", () => _a.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "inline", PolicyDocument = Rpc.Oversized(2048) }).ResponseAsync),
            new("PutUserPolicy bad name", StatusCode.InvalidArgument, "policy_name", () => _a.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "a b", PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
            new("GetUserPolicy unknown", StatusCode.NotFound, null, () => _a.GetUserPolicyAsync(new GetUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "nope" }).ResponseAsync),
            new("DeleteUserPolicy unknown", StatusCode.NotFound, null, () => _a.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "nope" }).ResponseAsync),
            new("ListUserPolicies unknown", StatusCode.NotFound, null, () => _a.ListUserPoliciesAsync(new ListUserPoliciesRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            new("PutGroupPolicy oversized", StatusCode.InvalidArgument, "policy_document", () => _a.PutGroupPolicyAsync(new PutGroupPolicyRequest { TenantId = t, GroupName = "g", PolicyName = "x", PolicyDocument = Rpc.Oversized(5120) }).ResponseAsync),
            new("GetGroupPolicy unknown", StatusCode.NotFound, null, () => _a.GetGroupPolicyAsync(new GetGroupPolicyRequest { TenantId = t, GroupName = "g", PolicyName = "nope" }).ResponseAsync),
            new("DeleteGroupPolicy bad group", StatusCode.InvalidArgument, "group_name", () => _a.DeleteGroupPolicyAsync(new DeleteGroupPolicyRequest { TenantId = t, GroupName = "", PolicyName = "x" }).ResponseAsync),
            new("ListGroupPolicies unknown", StatusCode.NotFound, null, () => _a.ListGroupPoliciesAsync(new ListGroupPoliciesRequest { TenantId = t, GroupName = "nobody" }).ResponseAsync),
            new("PutRolePolicy resource-style document", StatusCode.InvalidArgument, "policy_document", () => _a.PutRolePolicyAsync(new PutRolePolicyRequest { TenantId = t, RoleName = "r", PolicyName = "x", PolicyDocument = Rpc.BucketPolicy(t, "*") }).ResponseAsync),
            new("GetRolePolicy unknown", StatusCode.NotFound, null, () => _a.GetRolePolicyAsync(new GetRolePolicyRequest { TenantId = t, RoleName = "r", PolicyName = "nope" }).ResponseAsync),
            new("DeleteRolePolicy unknown", StatusCode.NotFound, null, () => _a.DeleteRolePolicyAsync(new DeleteRolePolicyRequest { TenantId = t, RoleName = "r", PolicyName = "nope" }).ResponseAsync),
            new("ListRolePolicies bad token", StatusCode.InvalidArgument, "page_token", () => _a.ListRolePoliciesAsync(new ListRolePoliciesRequest { TenantId = t, RoleName = "r", PageToken = "x" }).ResponseAsync),
            // boundaries
            new("PutUserPermissionsBoundary unknown", StatusCode.NotFound, null, () => _a.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { TenantId = t, UserName = "u", PolicyArn = missingArn }).ResponseAsync),
            new("DeleteUserPermissionsBoundary unknown user", StatusCode.NotFound, null, () => _a.DeleteUserPermissionsBoundaryAsync(new DeleteUserPermissionsBoundaryRequest { TenantId = t, UserName = "nobody" }).ResponseAsync),
            new("PutRolePermissionsBoundary foreign", StatusCode.InvalidArgument, "policy_arn", () => _a.PutRolePermissionsBoundaryAsync(new PutRolePermissionsBoundaryRequest { TenantId = t, RoleName = "r", PolicyArn = foreignArn }).ResponseAsync),
            new("DeleteRolePermissionsBoundary bad name", StatusCode.InvalidArgument, "role_name", () => _a.DeleteRolePermissionsBoundaryAsync(new DeleteRolePermissionsBoundaryRequest { TenantId = t, RoleName = "" }).ResponseAsync),
            // resources
            new("RegisterResource bad arn", StatusCode.InvalidArgument, "resource_arn", () => _a.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = "s3://bucket" }).ResponseAsync),
            new("RegisterResource wildcard", StatusCode.InvalidArgument, "resource_arn", () => _a.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = "arn:aws:s3:::b*" }).ResponseAsync),
            new("RegisterResource unknown tenant", StatusCode.NotFound, null, () => _a.RegisterResourceAsync(new RegisterResourceRequest { TenantId = "100000000006", ResourceArn = resource + "-x" }).ResponseAsync),
            new("GetResource unknown", StatusCode.NotFound, null, () => _a.GetResourceAsync(new GetResourceRequest { TenantId = t, ResourceArn = resource }).ResponseAsync),
            new("ListResources bad tenant", StatusCode.InvalidArgument, "tenant_id", () => _a.ListResourcesAsync(new ListResourcesRequest { TenantId = "1" }).ResponseAsync),
            new("DeregisterResource unknown", StatusCode.NotFound, null, () => _a.DeregisterResourceAsync(new DeregisterResourceRequest { TenantId = t, ResourceArn = resource }).ResponseAsync),
            new("PutResourcePolicy identity-style", StatusCode.InvalidArgument, "policy_document", () => _a.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = resource, PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
            new("PutResourcePolicy oversized", StatusCode.InvalidArgument, "policy_document", () => _a.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = resource, PolicyDocument = Rpc.Oversized(10240) }).ResponseAsync),
            new("GetResourcePolicy unknown", StatusCode.NotFound, null, () => _a.GetResourcePolicyAsync(new GetResourcePolicyRequest { TenantId = t, ResourceArn = resource }).ResponseAsync),
            new("DeleteResourcePolicy bad arn", StatusCode.InvalidArgument, "resource_arn", () => _a.DeleteResourcePolicyAsync(new DeleteResourcePolicyRequest { TenantId = t, ResourceArn = "" }).ResponseAsync),
            // guardrails
            new("PutTenantGuardrail malformed", StatusCode.InvalidArgument, "policy_document", () => _a.PutTenantGuardrailAsync(new PutTenantGuardrailRequest { TenantId = t, Name = "g", PolicyDocument = Rpc.Malformed }).ResponseAsync),
            new("PutTenantGuardrail bad name", StatusCode.InvalidArgument, "name", () => _a.PutTenantGuardrailAsync(new PutTenantGuardrailRequest { TenantId = t, Name = "", PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
            new("GetTenantGuardrail unknown", StatusCode.NotFound, null, () => _a.GetTenantGuardrailAsync(new GetTenantGuardrailRequest { TenantId = t, Name = "nope" }).ResponseAsync),
            new("ListTenantGuardrails unknown tenant", StatusCode.NotFound, null, () => _a.ListTenantGuardrailsAsync(new ListTenantGuardrailsRequest { TenantId = "100000000007" }).ResponseAsync),
            new("DeleteTenantGuardrail unknown", StatusCode.NotFound, null, () => _a.DeleteTenantGuardrailAsync(new DeleteTenantGuardrailRequest { TenantId = t, Name = "nope" }).ResponseAsync),
            // validation
            new("ValidatePolicy no type", StatusCode.InvalidArgument, "policy_type", () => _a.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = Rpc.Allow("s3:*") }).ResponseAsync),
        ];

        foreach (var c in cases)
        {
            try
            {
                var status = await Rpc.Fails(c.Code, c.Call);
                switch (c.Code)
                {
                    case StatusCode.InvalidArgument:
                        Assert.Contains(status.GetDetail<BadRequest>().FieldViolations, v => v.Field == c.Field);
                        break;
                    case StatusCode.FailedPrecondition:
                        Assert.Single(status.GetDetail<PreconditionFailure>().Violations);
                        break;
                    case StatusCode.ResourceExhausted:
                        Assert.Single(status.GetDetail<QuotaFailure>().Violations);
                        break;
                }
            }
            catch (Exception ex) when (ex is not XunitException || !ex.Message.StartsWith(c.Label, StringComparison.Ordinal))
            {
                throw new XunitException($"{c.Label}: {ex.Message}");
            }
        }

        Assert.Equal(before, await fixture.RevisionAsync(t));
        Assert.Equal(Rpc.Allow("s3:GetObject"), (await _a.GetUserPolicyAsync(new GetUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "inline" })).PolicyDocument);
        Assert.Equal(["u"], (await _a.ListUsersAsync(new ListUsersRequest { TenantId = t })).Users.Select(u => u.UserName));
        Assert.Empty((await _a.ListResourcesAsync(new ListResourcesRequest { TenantId = t })).Resources);
        Assert.Empty((await _a.ListTenantGuardrailsAsync(new ListTenantGuardrailsRequest { TenantId = t })).Guardrails);
        Assert.Equal(["v1"], (await _a.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PolicyArn = arn })).Versions.Select(v => v.VersionId));
    }

    [Fact]
    public async Task Policy_document_violations_carry_the_cedar_style_line_and_quota_overruns_a_quota_failure()
    {
        var t = await fixture.NewTenantAsync();
        await _a.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "u" });
        var violation = await Rpc.Invalid("policy_document", () => _a.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "u", PolicyName = "p", PolicyDocument = Rpc.UnknownOperator }).ResponseAsync);
        Assert.Matches(@"^statement\[0\]\.Condition.*unknown operator `StringEqualz`.*\(line 7, column \d+\)$", violation.Description);

        var arn = (await _a.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "p", PolicyDocument = Rpc.Allow("s3:*") })).Policy.Arn;
        for (var i = 2; i <= 5; i++)
        {
            await _a.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { PolicyArn = arn, PolicyDocument = Rpc.Allow($"s3:Get{i}") });
        }

        var before = await fixture.RevisionAsync(t);
        var status = await Rpc.Fails(StatusCode.ResourceExhausted, () => _a.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { PolicyArn = arn, PolicyDocument = Rpc.Allow("s3:Get6") }).ResponseAsync);
        Assert.Equal(arn, Assert.Single(status.GetDetail<QuotaFailure>().Violations).Subject);
        Assert.Equal(before, await fixture.RevisionAsync(t));
        Assert.Equal(5, (await _a.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PolicyArn = arn })).Versions.Count);
    }
}
