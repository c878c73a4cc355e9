using System.Globalization;
using Authz.Grains;
using Authz.Server.Hosting;
using Authz.Server.Mapping;
using Authz.Server.Security;
using Authz.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;
using static Authz.Server.Mapping.AdminMapper;

namespace Authz.Server.Services;

/// <summary>
/// The <c>authz.v1.Admin</c> service: checks the shape of each request, maps it to a grain call and maps the answer
/// back. Policy logic, quotas and consistency live in the grains; errors become statuses in
/// <see cref="AdminErrorInterceptor"/>.
/// </summary>
[BehindAdmission]
public sealed partial class AdminService(IGrainFactory grains, IOptions<AuthzQuotaOptions> quotas, AccessKeyAuthenticator authenticator,
    IOptions<SecurityOptions> security) : Admin.AdminBase
{
    // ---- Tenants ----------------------------------------------------------------------------------------------

    public override async Task<CreateTenantResponse> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).TenantName(request.Name).ThrowIfInvalid();
        var created = await grains.GetTenantLifecycle(request.TenantId).Create(request.Name);
        return new CreateTenantResponse { Tenant = ToProto(created.Tenant), Revision = created.Revision };
    }

    public override async Task<GetTenantResponse> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).ThrowIfInvalid();
        return new GetTenantResponse { Tenant = ToProto(await grains.GetTenant(request.TenantId).Get()) };
    }

    public override async Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context)
    {
        const string scope = "ListTenants";
        RequestChecks.Request().PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var size = PageToken.PageSize(request.MaxItems);
        var response = new ListTenantsResponse();
        while (true)
        {
            var page = await grains.GetTenantCatalog().List(after, size - response.Tenants.Count);
            var tenants = await Task.WhenAll(page.Entries.Select(e => OrNull(() => grains.GetTenant(e.Key).Get())));
            response.Tenants.AddRange(tenants.OfType<TenantInfo>().Select(ToProto));
            after = page.Entries.IsEmpty ? after : page.Entries[^1].Key;
            if (!page.HasMore)
            {
                return response;
            }

            if (response.Tenants.Count >= size)
            {
                response.NextPageToken = PageToken.Encode(scope, after!);
                return response;
            }
        }
    }

    public override async Task<DeleteTenantResponse> DeleteTenant(DeleteTenantRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).ThrowIfInvalid();
        return new DeleteTenantResponse { Revision = await grains.GetTenantLifecycle(request.TenantId).Delete() };
    }

    // ---- Users ------------------------------------------------------------------------------------------------

    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.UserName, "user_name").Path(request.Path).Tags(request.Tags)
            .OptionalPolicyArn(request.PermissionsBoundary, request.TenantId, "permissions_boundary").ThrowIfInvalid();
        var created = await grains.GetUser(request.TenantId, request.UserName).Create(new CreateUserCommand
        {
            UserName = request.UserName,
            Path = AdminNames.NormalizePath(request.Path),
            Tags = ToWire(request.Tags),
            PermissionsBoundaryArn = string.IsNullOrEmpty(request.PermissionsBoundary) ? null : request.PermissionsBoundary,
        });
        return new CreateUserResponse { User = ToProto(created.User), Revision = created.Revision };
    }

    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        CheckUser(request.TenantId, request.UserName);
        return new GetUserResponse { User = ToProto(await grains.GetUser(request.TenantId, request.UserName).Get()) };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var scope = $"ListUsers|{request.TenantId}|{request.PathPrefix}";
        RequestChecks.Request().TenantId(request.TenantId).PathPrefix(request.PathPrefix).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var (users, next) = await ListDirectoryAsync(request.TenantId, EntityKind.User, request.PathPrefix, after, request.MaxItems, scope,
            e => grains.GetUser(request.TenantId, e.Key).Get());
        var response = new ListUsersResponse { NextPageToken = next };
        response.Users.AddRange(users.Select(ToProto));
        return response;
    }

    public override async Task<DeleteUserResponse> DeleteUser(DeleteUserRequest request, ServerCallContext context)
    {
        CheckUser(request.TenantId, request.UserName);
        return new DeleteUserResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).Delete() };
    }

    public override async Task<TagUserResponse> TagUser(TagUserRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.UserName, "user_name").Tags(request.Tags).ThrowIfInvalid();
        return new TagUserResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).Tag(ToWire(request.Tags)) };
    }

    public override async Task<UntagUserResponse> UntagUser(UntagUserRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.UserName, "user_name").TagKeys(request.TagKeys).ThrowIfInvalid();
        return new UntagUserResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).Untag([.. request.TagKeys]) };
    }

    public override async Task<ListUserTagsResponse> ListUserTags(ListUserTagsRequest request, ServerCallContext context)
    {
        var scope = $"ListUserTags|{request.TenantId}|{request.UserName.ToLowerInvariant()}";
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.UserName, "user_name").PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var user = await grains.GetUser(request.TenantId, request.UserName).Get();
        var (tags, next) = PageToken.Page(user.Tags, t => t.Key.ToLowerInvariant(), after, PageToken.PageSize(request.MaxItems), scope);
        var response = new ListUserTagsResponse { NextPageToken = next };
        response.Tags.AddRange(tags.Select(ToProto));
        return response;
    }

    // ---- Groups -----------------------------------------------------------------------------------------------

    public override async Task<CreateGroupResponse> CreateGroup(CreateGroupRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.GroupName, "group_name").Path(request.Path).ThrowIfInvalid();
        var created = await grains.GetGroup(request.TenantId, request.GroupName).Create(request.GroupName, AdminNames.NormalizePath(request.Path));
        return new CreateGroupResponse { Group = ToProto(created.Group), Revision = created.Revision };
    }

    public override async Task<GetGroupResponse> GetGroup(GetGroupRequest request, ServerCallContext context)
    {
        var scope = $"GetGroup|{request.TenantId}|{request.GroupName.ToLowerInvariant()}";
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.GroupName, "group_name").PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var group = grains.GetGroup(request.TenantId, request.GroupName);
        var info = await group.Get();
        var (members, next) = PageToken.Page(await group.ListMembers(), m => m.ToLowerInvariant(), after, PageToken.PageSize(request.MaxItems), scope);
        var users = await Task.WhenAll(members.Select(m => OrNull(() => grains.GetUser(request.TenantId, m).Get())));
        var response = new GetGroupResponse { Group = ToProto(info), NextPageToken = next };
        response.Users.AddRange(users.OfType<UserInfo>().Select(ToProto));
        return response;
    }

    public override async Task<ListGroupsResponse> ListGroups(ListGroupsRequest request, ServerCallContext context)
    {
        var scope = $"ListGroups|{request.TenantId}|{request.PathPrefix}";
        RequestChecks.Request().TenantId(request.TenantId).PathPrefix(request.PathPrefix).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var (groups, next) = await ListDirectoryAsync(request.TenantId, EntityKind.Group, request.PathPrefix, after, request.MaxItems, scope,
            e => grains.GetGroup(request.TenantId, e.Key).Get());
        var response = new ListGroupsResponse { NextPageToken = next };
        response.Groups.AddRange(groups.Select(ToProto));
        return response;
    }

    public override async Task<DeleteGroupResponse> DeleteGroup(DeleteGroupRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.GroupName, "group_name").ThrowIfInvalid();
        return new DeleteGroupResponse { Revision = await grains.GetGroup(request.TenantId, request.GroupName).Delete() };
    }

    public override async Task<AddUserToGroupResponse> AddUserToGroup(AddUserToGroupRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.GroupName, "group_name").PrincipalName(request.UserName, "user_name").ThrowIfInvalid();
        return new AddUserToGroupResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).AddToGroup(request.GroupName) };
    }

    public override async Task<RemoveUserFromGroupResponse> RemoveUserFromGroup(RemoveUserFromGroupRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.GroupName, "group_name").PrincipalName(request.UserName, "user_name").ThrowIfInvalid();
        return new RemoveUserFromGroupResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).RemoveFromGroup(request.GroupName) };
    }

    public override async Task<ListGroupsForUserResponse> ListGroupsForUser(ListGroupsForUserRequest request, ServerCallContext context)
    {
        var scope = $"ListGroupsForUser|{request.TenantId}|{request.UserName.ToLowerInvariant()}";
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.UserName, "user_name").PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var names = await grains.GetUser(request.TenantId, request.UserName).ListGroups();
        var (page, next) = PageToken.Page(names, g => g.ToLowerInvariant(), after, PageToken.PageSize(request.MaxItems), scope);
        var groups = await Task.WhenAll(page.Select(g => grains.GetGroup(request.TenantId, g).Get()));
        var response = new ListGroupsForUserResponse { NextPageToken = next };
        response.Groups.AddRange(groups.Select(ToProto));
        return response;
    }

    // ---- Roles ------------------------------------------------------------------------------------------------

    public override async Task<CreateRoleResponse> CreateRole(CreateRoleRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.RoleName, "role_name").Path(request.Path)
            .Document(request.AssumeRolePolicyDocument, "assume_role_policy_document").Description(request.Description)
            .MaxSessionDuration(request.MaxSessionDuration).Tags(request.Tags)
            .OptionalPolicyArn(request.PermissionsBoundary, request.TenantId, "permissions_boundary").ThrowIfInvalid();
        var created = await grains.GetRole(request.TenantId, request.RoleName).Create(new CreateRoleCommand
        {
            RoleName = request.RoleName,
            Path = AdminNames.NormalizePath(request.Path),
            AssumeRolePolicyDocument = request.AssumeRolePolicyDocument,
            Description = request.Description,
            MaxSessionDuration = request.MaxSessionDuration,
            Tags = ToWire(request.Tags),
            PermissionsBoundaryArn = string.IsNullOrEmpty(request.PermissionsBoundary) ? null : request.PermissionsBoundary,
        });
        return new CreateRoleResponse { Role = ToProto(created.Role), Revision = created.Revision };
    }

    public override async Task<GetRoleResponse> GetRole(GetRoleRequest request, ServerCallContext context)
    {
        CheckRole(request.TenantId, request.RoleName);
        return new GetRoleResponse { Role = ToProto(await grains.GetRole(request.TenantId, request.RoleName).Get()) };
    }

    public override async Task<ListRolesResponse> ListRoles(ListRolesRequest request, ServerCallContext context)
    {
        var scope = $"ListRoles|{request.TenantId}|{request.PathPrefix}";
        RequestChecks.Request().TenantId(request.TenantId).PathPrefix(request.PathPrefix).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var (roles, next) = await ListDirectoryAsync(request.TenantId, EntityKind.Role, request.PathPrefix, after, request.MaxItems, scope,
            e => grains.GetRole(request.TenantId, e.Key).Get());
        var response = new ListRolesResponse { NextPageToken = next };
        response.Roles.AddRange(roles.Select(ToProto));
        return response;
    }

    public override async Task<UpdateAssumeRolePolicyResponse> UpdateAssumeRolePolicy(UpdateAssumeRolePolicyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.RoleName, "role_name").Document(request.PolicyDocument).ThrowIfInvalid();
        return new UpdateAssumeRolePolicyResponse { Revision = await grains.GetRole(request.TenantId, request.RoleName).UpdateAssumeRolePolicy(request.PolicyDocument) };
    }

    public override async Task<DeleteRoleResponse> DeleteRole(DeleteRoleRequest request, ServerCallContext context)
    {
        CheckRole(request.TenantId, request.RoleName);
        return new DeleteRoleResponse { Revision = await grains.GetRole(request.TenantId, request.RoleName).Delete() };
    }

    public override async Task<TagRoleResponse> TagRole(TagRoleRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.RoleName, "role_name").Tags(request.Tags).ThrowIfInvalid();
        return new TagRoleResponse { Revision = await grains.GetRole(request.TenantId, request.RoleName).Tag(ToWire(request.Tags)) };
    }

    public override async Task<UntagRoleResponse> UntagRole(UntagRoleRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.RoleName, "role_name").TagKeys(request.TagKeys).ThrowIfInvalid();
        return new UntagRoleResponse { Revision = await grains.GetRole(request.TenantId, request.RoleName).Untag([.. request.TagKeys]) };
    }

    public override async Task<ListRoleTagsResponse> ListRoleTags(ListRoleTagsRequest request, ServerCallContext context)
    {
        var scope = $"ListRoleTags|{request.TenantId}|{request.RoleName.ToLowerInvariant()}";
        RequestChecks.Request().TenantId(request.TenantId).PrincipalName(request.RoleName, "role_name").PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var role = await grains.GetRole(request.TenantId, request.RoleName).Get();
        var (tags, next) = PageToken.Page(role.Tags, t => t.Key.ToLowerInvariant(), after, PageToken.PageSize(request.MaxItems), scope);
        var response = new ListRoleTagsResponse { NextPageToken = next };
        response.Tags.AddRange(tags.Select(ToProto));
        return response;
    }

    // ---- Managed policies -------------------------------------------------------------------------------------

    public override async Task<CreatePolicyResponse> CreatePolicy(CreatePolicyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.PolicyName, "policy_name").Path(request.Path)
            .Document(request.PolicyDocument).Description(request.Description).ThrowIfInvalid();
        var created = await grains.GetManagedPolicy(request.TenantId, request.PolicyName).Create(new CreatePolicyCommand
        {
            PolicyName = request.PolicyName,
            Path = AdminNames.NormalizePath(request.Path),
            Description = request.Description,
            Document = request.PolicyDocument,
        });
        return new CreatePolicyResponse { Policy = ToProto(created.Policy), Revision = created.Revision };
    }

    public override async Task<GetPolicyResponse> GetPolicy(GetPolicyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).ThrowIfInvalid();
        return new GetPolicyResponse { Policy = ToProto(await grains.GetManagedPolicy(request.PolicyArn).Get(request.PolicyArn)) };
    }

    public override async Task<ListPoliciesResponse> ListPolicies(ListPoliciesRequest request, ServerCallContext context)
    {
        var scope = $"ListPolicies|{request.TenantId}|{request.PathPrefix}|{request.OnlyAttached}";
        RequestChecks.Request().TenantId(request.TenantId).PathPrefix(request.PathPrefix).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var (policies, next) = await ListDirectoryAsync(request.TenantId, EntityKind.Policy, request.PathPrefix, after, request.MaxItems, scope,
            e => grains.GetManagedPolicy(request.TenantId, e.Key).Get(GrainKeys.PolicyArn(request.TenantId, e.Path, e.Name)),
            p => !request.OnlyAttached || p.AttachmentCount > 0);
        var response = new ListPoliciesResponse { NextPageToken = next };
        response.Policies.AddRange(policies.Select(ToProto));
        return response;
    }

    public override async Task<DeletePolicyResponse> DeletePolicy(DeletePolicyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).ThrowIfInvalid();
        return new DeletePolicyResponse { Revision = await grains.GetManagedPolicy(request.PolicyArn).Delete(request.PolicyArn) };
    }

    public override async Task<CreatePolicyVersionResponse> CreatePolicyVersion(CreatePolicyVersionRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).Document(request.PolicyDocument).ThrowIfInvalid();
        var created = await grains.GetManagedPolicy(request.PolicyArn).CreateVersion(request.PolicyArn, request.PolicyDocument, request.SetAsDefault);
        return new CreatePolicyVersionResponse { PolicyVersion = ToProto(created.Version), Revision = created.Revision };
    }

    public override async Task<GetPolicyVersionResponse> GetPolicyVersion(GetPolicyVersionRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).VersionId(request.VersionId).ThrowIfInvalid();
        return new GetPolicyVersionResponse { PolicyVersion = ToProto(await grains.GetManagedPolicy(request.PolicyArn).GetVersion(request.PolicyArn, request.VersionId)) };
    }

    public override async Task<ListPolicyVersionsResponse> ListPolicyVersions(ListPolicyVersionsRequest request, ServerCallContext context)
    {
        var scope = $"ListPolicyVersions|{request.PolicyArn}";
        RequestChecks.Request().PolicyArn(request.PolicyArn).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var versions = await grains.GetManagedPolicy(request.PolicyArn).ListVersions(request.PolicyArn);

        // Newest first: the key orders higher version numbers first.
        var (page, next) = PageToken.Page(versions, v => NewestFirstKey(v.VersionId), after, PageToken.PageSize(request.MaxItems), scope);
        var response = new ListPolicyVersionsResponse { NextPageToken = next };
        response.Versions.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<SetDefaultPolicyVersionResponse> SetDefaultPolicyVersion(SetDefaultPolicyVersionRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).VersionId(request.VersionId).ThrowIfInvalid();
        return new SetDefaultPolicyVersionResponse { Revision = await grains.GetManagedPolicy(request.PolicyArn).SetDefaultVersion(request.PolicyArn, request.VersionId) };
    }

    public override async Task<DeletePolicyVersionResponse> DeletePolicyVersion(DeletePolicyVersionRequest request, ServerCallContext context)
    {
        RequestChecks.Request().PolicyArn(request.PolicyArn).VersionId(request.VersionId).ThrowIfInvalid();
        return new DeletePolicyVersionResponse { Revision = await grains.GetManagedPolicy(request.PolicyArn).DeleteVersion(request.PolicyArn, request.VersionId) };
    }

    public override async Task<ListEntitiesForPolicyResponse> ListEntitiesForPolicy(ListEntitiesForPolicyRequest request, ServerCallContext context)
    {
        var scope = $"ListEntitiesForPolicy|{request.PolicyArn}|{request.EntityFilter}";
        RequestChecks.Request().PolicyArn(request.PolicyArn).PageToken(request.PageToken, scope, out var after)
            .Add("entity_filter", Enum.IsDefined(request.EntityFilter) ? null : $"{(int)request.EntityFilter} is not an entity filter").ThrowIfInvalid();
        var filter = request.EntityFilter;
        var uses = (await grains.GetManagedPolicy(request.PolicyArn).ListEntities(request.PolicyArn)).Where(a => filter switch
        {
            EntityFilter.PermissionsBoundary => a.Usage == PolicyUsage.PermissionsBoundary,
            EntityFilter.User => a.Usage == PolicyUsage.Attached && a.Kind == EntityKind.User,
            EntityFilter.Group => a.Usage == PolicyUsage.Attached && a.Kind == EntityKind.Group,
            EntityFilter.Role => a.Usage == PolicyUsage.Attached && a.Kind == EntityKind.Role,
            _ => a.Usage == PolicyUsage.Attached,
        });
        var (page, next) = PageToken.Page(uses, a => $"{(int)a.Kind}/{a.Name.ToLowerInvariant()}", after, PageToken.PageSize(request.MaxItems), scope);
        var response = new ListEntitiesForPolicyResponse { NextPageToken = next };
        foreach (var a in page)
        {
            switch (a.Kind)
            {
                case EntityKind.User:
                    response.PolicyUsers.Add(new PolicyUser { UserName = a.Name, UserId = a.Id });
                    break;
                case EntityKind.Group:
                    response.PolicyGroups.Add(new PolicyGroup { GroupName = a.Name, GroupId = a.Id });
                    break;
                case EntityKind.Role:
                    response.PolicyRoles.Add(new PolicyRole { RoleName = a.Name, RoleId = a.Id });
                    break;
            }
        }

        return response;
    }

    // ---- Attachments ------------------------------------------------------------------------------------------

    public override async Task<AttachUserPolicyResponse> AttachUserPolicy(AttachUserPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await User(request.TenantId, request.UserName, request.PolicyArn).AttachPolicy(request.PolicyArn) };

    public override async Task<DetachUserPolicyResponse> DetachUserPolicy(DetachUserPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await User(request.TenantId, request.UserName, request.PolicyArn).DetachPolicy(request.PolicyArn) };

    public override async Task<ListAttachedUserPoliciesResponse> ListAttachedUserPolicies(ListAttachedUserPoliciesRequest request, ServerCallContext context)
    {
        var (page, next) = await ListAttachedAsync("ListAttachedUserPolicies", request.TenantId, request.UserName, "user_name", true, request.PathPrefix, request.PageToken, request.MaxItems,
            () => grains.GetUser(request.TenantId, request.UserName));
        var response = new ListAttachedUserPoliciesResponse { NextPageToken = next };
        response.AttachedPolicies.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<AttachGroupPolicyResponse> AttachGroupPolicy(AttachGroupPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Group(request.TenantId, request.GroupName, request.PolicyArn).AttachPolicy(request.PolicyArn) };

    public override async Task<DetachGroupPolicyResponse> DetachGroupPolicy(DetachGroupPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Group(request.TenantId, request.GroupName, request.PolicyArn).DetachPolicy(request.PolicyArn) };

    public override async Task<ListAttachedGroupPoliciesResponse> ListAttachedGroupPolicies(ListAttachedGroupPoliciesRequest request, ServerCallContext context)
    {
        var (page, next) = await ListAttachedAsync("ListAttachedGroupPolicies", request.TenantId, request.GroupName, "group_name", false, request.PathPrefix, request.PageToken, request.MaxItems,
            () => grains.GetGroup(request.TenantId, request.GroupName));
        var response = new ListAttachedGroupPoliciesResponse { NextPageToken = next };
        response.AttachedPolicies.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<AttachRolePolicyResponse> AttachRolePolicy(AttachRolePolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Role(request.TenantId, request.RoleName, request.PolicyArn).AttachPolicy(request.PolicyArn) };

    public override async Task<DetachRolePolicyResponse> DetachRolePolicy(DetachRolePolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Role(request.TenantId, request.RoleName, request.PolicyArn).DetachPolicy(request.PolicyArn) };

    public override async Task<ListAttachedRolePoliciesResponse> ListAttachedRolePolicies(ListAttachedRolePoliciesRequest request, ServerCallContext context)
    {
        var (page, next) = await ListAttachedAsync("ListAttachedRolePolicies", request.TenantId, request.RoleName, "role_name", true, request.PathPrefix, request.PageToken, request.MaxItems,
            () => grains.GetRole(request.TenantId, request.RoleName));
        var response = new ListAttachedRolePoliciesResponse { NextPageToken = next };
        response.AttachedPolicies.AddRange(page.Select(ToProto));
        return response;
    }

    // ---- Inline policies --------------------------------------------------------------------------------------

    public override async Task<PutUserPolicyResponse> PutUserPolicy(PutUserPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.UserName, "user_name", request.PolicyName, request.PolicyDocument).PutInlinePolicy(request.PolicyName, request.PolicyDocument) };

    public override async Task<GetUserPolicyResponse> GetUserPolicy(GetUserPolicyRequest request, ServerCallContext context)
    {
        var policy = await Inline(request.TenantId, request.UserName, "user_name", request.PolicyName).GetInlinePolicy(request.PolicyName);
        return new GetUserPolicyResponse { UserName = policy.EntityName, PolicyName = policy.PolicyName, PolicyDocument = policy.Document };
    }

    public override async Task<DeleteUserPolicyResponse> DeleteUserPolicy(DeleteUserPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.UserName, "user_name", request.PolicyName).DeleteInlinePolicy(request.PolicyName) };

    public override async Task<ListUserPoliciesResponse> ListUserPolicies(ListUserPoliciesRequest request, ServerCallContext context)
    {
        var (names, next) = await ListInlineAsync("ListUserPolicies", request.TenantId, request.UserName, "user_name", request.PageToken, request.MaxItems);
        var response = new ListUserPoliciesResponse { NextPageToken = next };
        response.PolicyNames.AddRange(names);
        return response;
    }

    public override async Task<PutGroupPolicyResponse> PutGroupPolicy(PutGroupPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.GroupName, "group_name", request.PolicyName, request.PolicyDocument).PutInlinePolicy(request.PolicyName, request.PolicyDocument) };

    public override async Task<GetGroupPolicyResponse> GetGroupPolicy(GetGroupPolicyRequest request, ServerCallContext context)
    {
        var policy = await Inline(request.TenantId, request.GroupName, "group_name", request.PolicyName).GetInlinePolicy(request.PolicyName);
        return new GetGroupPolicyResponse { GroupName = policy.EntityName, PolicyName = policy.PolicyName, PolicyDocument = policy.Document };
    }

    public override async Task<DeleteGroupPolicyResponse> DeleteGroupPolicy(DeleteGroupPolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.GroupName, "group_name", request.PolicyName).DeleteInlinePolicy(request.PolicyName) };

    public override async Task<ListGroupPoliciesResponse> ListGroupPolicies(ListGroupPoliciesRequest request, ServerCallContext context)
    {
        var (names, next) = await ListInlineAsync("ListGroupPolicies", request.TenantId, request.GroupName, "group_name", request.PageToken, request.MaxItems);
        var response = new ListGroupPoliciesResponse { NextPageToken = next };
        response.PolicyNames.AddRange(names);
        return response;
    }

    public override async Task<PutRolePolicyResponse> PutRolePolicy(PutRolePolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.RoleName, "role_name", request.PolicyName, request.PolicyDocument).PutInlinePolicy(request.PolicyName, request.PolicyDocument) };

    public override async Task<GetRolePolicyResponse> GetRolePolicy(GetRolePolicyRequest request, ServerCallContext context)
    {
        var policy = await Inline(request.TenantId, request.RoleName, "role_name", request.PolicyName).GetInlinePolicy(request.PolicyName);
        return new GetRolePolicyResponse { RoleName = policy.EntityName, PolicyName = policy.PolicyName, PolicyDocument = policy.Document };
    }

    public override async Task<DeleteRolePolicyResponse> DeleteRolePolicy(DeleteRolePolicyRequest request, ServerCallContext context) =>
        new() { Revision = await Inline(request.TenantId, request.RoleName, "role_name", request.PolicyName).DeleteInlinePolicy(request.PolicyName) };

    public override async Task<ListRolePoliciesResponse> ListRolePolicies(ListRolePoliciesRequest request, ServerCallContext context)
    {
        var (names, next) = await ListInlineAsync("ListRolePolicies", request.TenantId, request.RoleName, "role_name", request.PageToken, request.MaxItems);
        var response = new ListRolePoliciesResponse { NextPageToken = next };
        response.PolicyNames.AddRange(names);
        return response;
    }

    // ---- Permissions boundaries -------------------------------------------------------------------------------

    public override async Task<PutUserPermissionsBoundaryResponse> PutUserPermissionsBoundary(PutUserPermissionsBoundaryRequest request, ServerCallContext context) =>
        new() { Revision = await User(request.TenantId, request.UserName, request.PolicyArn).PutPermissionsBoundary(request.PolicyArn) };

    public override async Task<DeleteUserPermissionsBoundaryResponse> DeleteUserPermissionsBoundary(DeleteUserPermissionsBoundaryRequest request, ServerCallContext context)
    {
        CheckUser(request.TenantId, request.UserName);
        return new DeleteUserPermissionsBoundaryResponse { Revision = await grains.GetUser(request.TenantId, request.UserName).DeletePermissionsBoundary() };
    }

    public override async Task<PutRolePermissionsBoundaryResponse> PutRolePermissionsBoundary(PutRolePermissionsBoundaryRequest request, ServerCallContext context) =>
        new() { Revision = await Role(request.TenantId, request.RoleName, request.PolicyArn).PutPermissionsBoundary(request.PolicyArn) };

    public override async Task<DeleteRolePermissionsBoundaryResponse> DeleteRolePermissionsBoundary(DeleteRolePermissionsBoundaryRequest request, ServerCallContext context)
    {
        CheckRole(request.TenantId, request.RoleName);
        return new DeleteRolePermissionsBoundaryResponse { Revision = await grains.GetRole(request.TenantId, request.RoleName).DeletePermissionsBoundary() };
    }

    // ---- Resources --------------------------------------------------------------------------------------------

    public override async Task<RegisterResourceResponse> RegisterResource(RegisterResourceRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).ResourceArn(request.ResourceArn).Tags(request.Tags).ThrowIfInvalid();
        var registered = await grains.GetResource(request.ResourceArn).Register(request.TenantId, ToWire(request.Tags));
        return new RegisterResourceResponse { Resource = ToProto(registered.Resource), Revision = registered.Revision };
    }

    public override async Task<GetResourceResponse> GetResource(GetResourceRequest request, ServerCallContext context)
    {
        CheckResource(request.TenantId, request.ResourceArn);
        return new GetResourceResponse { Resource = ToProto(await grains.GetResource(request.ResourceArn).Get(request.TenantId)) };
    }

    public override async Task<ListResourcesResponse> ListResources(ListResourcesRequest request, ServerCallContext context)
    {
        var scope = $"ListResources|{request.TenantId}|{request.ArnPrefix}";
        RequestChecks.Request().TenantId(request.TenantId).ArnPrefix(request.ArnPrefix).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var (resources, next) = await ListDirectoryAsync(request.TenantId, EntityKind.Resource, request.ArnPrefix, after, request.MaxItems, scope,
            e => grains.GetResource(e.Key).Get(request.TenantId));
        var response = new ListResourcesResponse { NextPageToken = next };
        response.Resources.AddRange(resources.Select(ToProto));
        return response;
    }

    public override async Task<DeregisterResourceResponse> DeregisterResource(DeregisterResourceRequest request, ServerCallContext context)
    {
        CheckResource(request.TenantId, request.ResourceArn);
        return new DeregisterResourceResponse { Revision = await grains.GetResource(request.ResourceArn).Deregister(request.TenantId) };
    }

    public override async Task<PutResourcePolicyResponse> PutResourcePolicy(PutResourcePolicyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).ResourceArn(request.ResourceArn).Document(request.PolicyDocument).ThrowIfInvalid();
        return new PutResourcePolicyResponse { Revision = await grains.GetResource(request.ResourceArn).PutPolicy(request.TenantId, request.PolicyDocument) };
    }

    public override async Task<GetResourcePolicyResponse> GetResourcePolicy(GetResourcePolicyRequest request, ServerCallContext context)
    {
        CheckResource(request.TenantId, request.ResourceArn);
        var document = await grains.GetResource(request.ResourceArn).GetPolicy(request.TenantId);
        return new GetResourcePolicyResponse { ResourceArn = request.ResourceArn, PolicyDocument = document };
    }

    public override async Task<DeleteResourcePolicyResponse> DeleteResourcePolicy(DeleteResourcePolicyRequest request, ServerCallContext context)
    {
        CheckResource(request.TenantId, request.ResourceArn);
        return new DeleteResourcePolicyResponse { Revision = await grains.GetResource(request.ResourceArn).DeletePolicy(request.TenantId) };
    }

    // ---- Tenant guardrails ------------------------------------------------------------------------------------

    public override async Task<PutTenantGuardrailResponse> PutTenantGuardrail(PutTenantGuardrailRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.Name, "name").Document(request.PolicyDocument).ThrowIfInvalid();
        return new PutTenantGuardrailResponse { Revision = await grains.GetTenant(request.TenantId).PutGuardrail(request.Name, request.PolicyDocument) };
    }

    public override async Task<GetTenantGuardrailResponse> GetTenantGuardrail(GetTenantGuardrailRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.Name, "name").ThrowIfInvalid();
        return new GetTenantGuardrailResponse { Guardrail = ToProto(await grains.GetTenant(request.TenantId).GetGuardrail(request.Name)) };
    }

    public override async Task<ListTenantGuardrailsResponse> ListTenantGuardrails(ListTenantGuardrailsRequest request, ServerCallContext context)
    {
        var scope = $"ListTenantGuardrails|{request.TenantId}";
        RequestChecks.Request().TenantId(request.TenantId).PageToken(request.PageToken, scope, out var after).ThrowIfInvalid();
        var guardrails = await grains.GetTenant(request.TenantId).ListGuardrails();
        var (page, next) = PageToken.Page(guardrails, g => g.Name.ToLowerInvariant(), after, PageToken.PageSize(request.MaxItems), scope);
        var response = new ListTenantGuardrailsResponse { NextPageToken = next };
        response.Guardrails.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<DeleteTenantGuardrailResponse> DeleteTenantGuardrail(DeleteTenantGuardrailRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).PolicyName(request.Name, "name").ThrowIfInvalid();
        return new DeleteTenantGuardrailResponse { Revision = await grains.GetTenant(request.TenantId).DeleteGuardrail(request.Name) };
    }

    // ---- Validation -------------------------------------------------------------------------------------------

    public override Task<ValidatePolicyResponse> ValidatePolicy(ValidatePolicyRequest request, ServerCallContext context)
    {
        var type = ToEngine(request.PolicyType);
        RequestChecks.Request().Document(request.PolicyDocument)
            .Add("policy_type", type is null ? "must name what the document is for" : null).ThrowIfInvalid();
        var diagnostics = PolicyDocumentRules.Diagnose(request.PolicyDocument, type!.Value, SizeLimit(type.Value, quotas.Value));
        var response = new ValidatePolicyResponse { Valid = !diagnostics.Any(d => d.Severity == Authz.Policy.Model.Severity.Error) };
        response.Findings.AddRange(diagnostics.Select(ToProto));
        return Task.FromResult(response);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------

    private static void CheckUser(string tenantId, string userName) =>
        RequestChecks.Request().TenantId(tenantId).PrincipalName(userName, "user_name").ThrowIfInvalid();

    private static void CheckRole(string tenantId, string roleName) =>
        RequestChecks.Request().TenantId(tenantId).PrincipalName(roleName, "role_name").ThrowIfInvalid();

    private static void CheckResource(string tenantId, string resourceArn) =>
        RequestChecks.Request().TenantId(tenantId).ResourceArn(resourceArn).ThrowIfInvalid();

    private IUserGrain User(string tenantId, string userName, string policyArn)
    {
        RequestChecks.Request().TenantId(tenantId).PrincipalName(userName, "user_name").PolicyArn(policyArn, tenantId).ThrowIfInvalid();
        return grains.GetUser(tenantId, userName);
    }

    private IGroupGrain Group(string tenantId, string groupName, string policyArn)
    {
        RequestChecks.Request().TenantId(tenantId).PolicyName(groupName, "group_name").PolicyArn(policyArn, tenantId).ThrowIfInvalid();
        return grains.GetGroup(tenantId, groupName);
    }

    private IRoleGrain Role(string tenantId, string roleName, string policyArn)
    {
        RequestChecks.Request().TenantId(tenantId).PrincipalName(roleName, "role_name").PolicyArn(policyArn, tenantId).ThrowIfInvalid();
        return grains.GetRole(tenantId, roleName);
    }

    /// <summary>The user, group or role that holds an inline policy; the document, when given, must be present.</summary>
    private IPolicyHolderGrain Inline(string tenantId, string entityName, string entityField, string policyName, string? document = null)
    {
        var checks = RequestChecks.Request().TenantId(tenantId).PolicyName(policyName, "policy_name");
        checks = entityField == "group_name" ? checks.PolicyName(entityName, entityField) : checks.PrincipalName(entityName, entityField);
        if (document is not null)
        {
            checks.Document(document);
        }

        checks.ThrowIfInvalid();
        return entityField switch
        {
            "user_name" => grains.GetUser(tenantId, entityName),
            "group_name" => grains.GetGroup(tenantId, entityName),
            _ => grains.GetRole(tenantId, entityName),
        };
    }

    private async Task<(List<string> Names, string Next)> ListInlineAsync(string call, string tenantId, string entityName, string entityField, string pageToken, uint maxItems)
    {
        var scope = $"{call}|{tenantId}|{entityName.ToLowerInvariant()}";
        var checks = RequestChecks.Request().TenantId(tenantId).PageToken(pageToken, scope, out var after);
        checks = entityField == "group_name" ? checks.PolicyName(entityName, entityField) : checks.PrincipalName(entityName, entityField);
        checks.ThrowIfInvalid();
        IPolicyHolderGrain holder = entityField switch
        {
            "user_name" => grains.GetUser(tenantId, entityName),
            "group_name" => grains.GetGroup(tenantId, entityName),
            _ => grains.GetRole(tenantId, entityName),
        };
        return PageToken.Page(await holder.ListInlinePolicies(), n => n.ToLowerInvariant(), after, PageToken.PageSize(maxItems), scope);
    }

    private static async Task<(List<AttachedPolicyRef> Page, string Next)> ListAttachedAsync(string call, string tenantId, string entityName, string entityField, bool principal,
        string pathPrefix, string pageToken, uint maxItems, Func<IPolicyHolderGrain> holder)
    {
        var scope = $"{call}|{tenantId}|{entityName.ToLowerInvariant()}|{pathPrefix}";
        var checks = RequestChecks.Request().TenantId(tenantId).PathPrefix(pathPrefix).PageToken(pageToken, scope, out var after);
        checks = principal ? checks.PrincipalName(entityName, entityField) : checks.PolicyName(entityName, entityField);
        checks.ThrowIfInvalid();
        var attached = (await holder().ListAttachedPolicies())
            .Where(p => string.IsNullOrEmpty(pathPrefix) || (GrainKeys.TryParsePolicyArn(p.PolicyArn, out _, out var path, out _) && path.StartsWith(pathPrefix, StringComparison.Ordinal)));
        return PageToken.Page(attached, p => p.PolicyName.ToLowerInvariant(), after, PageToken.PageSize(maxItems), scope);
    }

    /// <summary>
    /// A page of a tenant's directory, read through the entity grains (the directory may name an entity whose
    /// creation never committed; it is skipped), keeping the entities <paramref name="keep"/> accepts.
    /// </summary>
    private async Task<(List<T> Items, string Next)> ListDirectoryAsync<T>(string tenantId, EntityKind kind, string prefix, string? after, uint maxItems, string scope,
        Func<DirectoryEntry, Task<T>> fetch, Func<T, bool>? keep = null)
        where T : class
    {
        var size = PageToken.PageSize(maxItems);
        var items = new List<T>(size);
        var tenant = grains.GetTenant(tenantId);
        while (true)
        {
            var page = await tenant.ListDirectory(kind, prefix, after, size);
            var fetched = await Task.WhenAll(page.Entries.Select(e => OrNull(() => fetch(e))));
            for (var i = 0; i < page.Entries.Length; i++)
            {
                after = page.Entries[i].Key;
                if (fetched[i] is { } item && (keep is null || keep(item)))
                {
                    items.Add(item);
                    if (items.Count == size)
                    {
                        var more = i < page.Entries.Length - 1 || page.HasMore;
                        return (items, more ? PageToken.Encode(scope, after) : "");
                    }
                }
            }

            if (!page.HasMore)
            {
                return (items, "");
            }
        }
    }

    /// <summary>The value, or null when the entity turned out not to exist.</summary>
    private static async Task<T?> OrNull<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (AdminException ex) when (ex.Code == AdminErrorCode.NotFound)
        {
            return null;
        }
    }

    private static string NewestFirstKey(string versionId) =>
        AdminNames.TryParseVersionId(versionId, out var n) ? (int.MaxValue - n).ToString("D10", CultureInfo.InvariantCulture) : versionId;
}
