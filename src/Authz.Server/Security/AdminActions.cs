using System.Collections.Frozen;
using Authz.Grains;
using Authz.V1;
using Google.Protobuf;

namespace Authz.Server.Security;

/// <summary>
/// What a call asks to do, as the engine sees it: an action on a resource ARN in a tenant, as AWS authorizes IAM API
/// calls (<c>iam:CreateUser</c> on <c>arn:aws:iam::&lt;tenant&gt;:user&lt;path&gt;&lt;name&gt;</c>).
/// </summary>
/// <param name="Action">The IAM-style action, <c>iam:*</c> for the IAM entities and <c>authz:*</c> for the rest.</param>
/// <param name="TenantId">The tenant the call acts in, as the request names it (possibly malformed; the service checks it).</param>
/// <param name="Resource">The ARN acted on, or <c>*</c> for calls that are not about one entity.</param>
/// <param name="SystemOnly">Only principals of the system tenant may make the call (tenant creation and deletion).</param>
public readonly record struct AdminAction(string Action, string TenantId, string Resource, bool SystemOnly = false);

/// <summary>
/// The one table from RPC to <see cref="AdminAction"/>, for the Admin and the Authorization services. A method that is
/// not in the table is refused (fail closed), and a test checks that every method of both services is in it.
/// </summary>
/// <remarks>
/// Entities are addressed by the path given in the request (Create*) or <c>/</c> otherwise, so write policies as
/// <c>user/*</c> or <c>user/${aws:username}</c> rather than on paths. Calls that name no entity (List*, ValidatePolicy,
/// UpdateAccessKey and DeleteAccessKey, which name only a key id) act on <c>*</c> or on the tenant's root ARN. The table
/// never depends on whether an entity exists, so a refusal cannot reveal it.
/// </remarks>
public static class AdminActions
{
    /// <summary>The tenant's own ARN, <c>arn:aws:iam::&lt;tenant&gt;:root</c>.</summary>
    public static string Root(string tenantId) => $"arn:aws:iam::{tenantId}:root";

    private static string Path(string path) => string.IsNullOrEmpty(path) ? "/" : path;
    private static string User(string t, string name, string path = "") => GrainKeys.UserArn(t, Path(path), name);
    private static string Group(string t, string name, string path = "") => GrainKeys.GroupArn(t, Path(path), name);
    private static string Role(string t, string name, string path = "") => GrainKeys.RoleArn(t, Path(path), name);
    private static string Policy(string t, string name, string path = "") => GrainKeys.PolicyArn(t, Path(path), name);
    private static string All(string t, string kind) => $"arn:aws:iam::{t}:{kind}/*";

    /// <summary>A managed policy ARN's action; an ARN that does not parse is evaluated in the caller's tenant and then refused by the service.</summary>
    private static AdminAction OnPolicyArn(string action, string policyArn) =>
        new(action, GrainKeys.TryParsePolicyArn(policyArn, out var tenant, out _, out _) ? tenant : "", policyArn);

    private static KeyValuePair<string, Func<IMessage, AdminAction>> Map<T>(string method, Func<T, AdminAction> map) where T : IMessage =>
        new(method, m => map((T)m));

    private static readonly KeyValuePair<string, Func<IMessage, AdminAction>>[] Entries =
    [
        // ---- Tenants: creation, deletion and listing belong to the system tenant.
        Map<CreateTenantRequest>("/authz.v1.Admin/CreateTenant", r => new("authz:CreateTenant", r.TenantId, Root(r.TenantId), SystemOnly: true)),
        Map<GetTenantRequest>("/authz.v1.Admin/GetTenant", r => new("authz:GetTenant", r.TenantId, Root(r.TenantId))),
        Map<ListTenantsRequest>("/authz.v1.Admin/ListTenants", _ => new("authz:ListTenants", AccessKeySecrets.SystemTenantId, "*", SystemOnly: true)),
        Map<DeleteTenantRequest>("/authz.v1.Admin/DeleteTenant", r => new("authz:DeleteTenant", r.TenantId, Root(r.TenantId), SystemOnly: true)),

        // ---- Users
        Map<CreateUserRequest>("/authz.v1.Admin/CreateUser", r => new("iam:CreateUser", r.TenantId, User(r.TenantId, r.UserName, r.Path))),
        Map<GetUserRequest>("/authz.v1.Admin/GetUser", r => new("iam:GetUser", r.TenantId, User(r.TenantId, r.UserName))),
        Map<ListUsersRequest>("/authz.v1.Admin/ListUsers", r => new("iam:ListUsers", r.TenantId, All(r.TenantId, "user"))),
        Map<DeleteUserRequest>("/authz.v1.Admin/DeleteUser", r => new("iam:DeleteUser", r.TenantId, User(r.TenantId, r.UserName))),
        Map<TagUserRequest>("/authz.v1.Admin/TagUser", r => new("iam:TagUser", r.TenantId, User(r.TenantId, r.UserName))),
        Map<UntagUserRequest>("/authz.v1.Admin/UntagUser", r => new("iam:UntagUser", r.TenantId, User(r.TenantId, r.UserName))),
        Map<ListUserTagsRequest>("/authz.v1.Admin/ListUserTags", r => new("iam:ListUserTags", r.TenantId, User(r.TenantId, r.UserName))),

        // ---- Groups
        Map<CreateGroupRequest>("/authz.v1.Admin/CreateGroup", r => new("iam:CreateGroup", r.TenantId, Group(r.TenantId, r.GroupName, r.Path))),
        Map<GetGroupRequest>("/authz.v1.Admin/GetGroup", r => new("iam:GetGroup", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<ListGroupsRequest>("/authz.v1.Admin/ListGroups", r => new("iam:ListGroups", r.TenantId, All(r.TenantId, "group"))),
        Map<DeleteGroupRequest>("/authz.v1.Admin/DeleteGroup", r => new("iam:DeleteGroup", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<AddUserToGroupRequest>("/authz.v1.Admin/AddUserToGroup", r => new("iam:AddUserToGroup", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<RemoveUserFromGroupRequest>("/authz.v1.Admin/RemoveUserFromGroup", r => new("iam:RemoveUserFromGroup", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<ListGroupsForUserRequest>("/authz.v1.Admin/ListGroupsForUser", r => new("iam:ListGroupsForUser", r.TenantId, User(r.TenantId, r.UserName))),

        // ---- Roles
        Map<CreateRoleRequest>("/authz.v1.Admin/CreateRole", r => new("iam:CreateRole", r.TenantId, Role(r.TenantId, r.RoleName, r.Path))),
        Map<GetRoleRequest>("/authz.v1.Admin/GetRole", r => new("iam:GetRole", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<ListRolesRequest>("/authz.v1.Admin/ListRoles", r => new("iam:ListRoles", r.TenantId, All(r.TenantId, "role"))),
        Map<UpdateAssumeRolePolicyRequest>("/authz.v1.Admin/UpdateAssumeRolePolicy", r => new("iam:UpdateAssumeRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<DeleteRoleRequest>("/authz.v1.Admin/DeleteRole", r => new("iam:DeleteRole", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<TagRoleRequest>("/authz.v1.Admin/TagRole", r => new("iam:TagRole", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<UntagRoleRequest>("/authz.v1.Admin/UntagRole", r => new("iam:UntagRole", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<ListRoleTagsRequest>("/authz.v1.Admin/ListRoleTags", r => new("iam:ListRoleTags", r.TenantId, Role(r.TenantId, r.RoleName))),

        // ---- Managed policies: the tenant is the ARN's account.
        Map<CreatePolicyRequest>("/authz.v1.Admin/CreatePolicy", r => new("iam:CreatePolicy", r.TenantId, Policy(r.TenantId, r.PolicyName, r.Path))),
        Map<GetPolicyRequest>("/authz.v1.Admin/GetPolicy", r => OnPolicyArn("iam:GetPolicy", r.PolicyArn)),
        Map<ListPoliciesRequest>("/authz.v1.Admin/ListPolicies", r => new("iam:ListPolicies", r.TenantId, All(r.TenantId, "policy"))),
        Map<DeletePolicyRequest>("/authz.v1.Admin/DeletePolicy", r => OnPolicyArn("iam:DeletePolicy", r.PolicyArn)),
        Map<CreatePolicyVersionRequest>("/authz.v1.Admin/CreatePolicyVersion", r => OnPolicyArn("iam:CreatePolicyVersion", r.PolicyArn)),
        Map<GetPolicyVersionRequest>("/authz.v1.Admin/GetPolicyVersion", r => OnPolicyArn("iam:GetPolicyVersion", r.PolicyArn)),
        Map<ListPolicyVersionsRequest>("/authz.v1.Admin/ListPolicyVersions", r => OnPolicyArn("iam:ListPolicyVersions", r.PolicyArn)),
        Map<SetDefaultPolicyVersionRequest>("/authz.v1.Admin/SetDefaultPolicyVersion", r => OnPolicyArn("iam:SetDefaultPolicyVersion", r.PolicyArn)),
        Map<DeletePolicyVersionRequest>("/authz.v1.Admin/DeletePolicyVersion", r => OnPolicyArn("iam:DeletePolicyVersion", r.PolicyArn)),
        Map<ListEntitiesForPolicyRequest>("/authz.v1.Admin/ListEntitiesForPolicy", r => OnPolicyArn("iam:ListEntitiesForPolicy", r.PolicyArn)),

        // ---- Attachments: on the user, group or role, as in AWS (the policy must be the same tenant's; the service checks).
        Map<AttachUserPolicyRequest>("/authz.v1.Admin/AttachUserPolicy", r => new("iam:AttachUserPolicy", r.TenantId, User(r.TenantId, r.UserName))),
        Map<DetachUserPolicyRequest>("/authz.v1.Admin/DetachUserPolicy", r => new("iam:DetachUserPolicy", r.TenantId, User(r.TenantId, r.UserName))),
        Map<ListAttachedUserPoliciesRequest>("/authz.v1.Admin/ListAttachedUserPolicies", r => new("iam:ListAttachedUserPolicies", r.TenantId, User(r.TenantId, r.UserName))),
        Map<AttachGroupPolicyRequest>("/authz.v1.Admin/AttachGroupPolicy", r => new("iam:AttachGroupPolicy", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<DetachGroupPolicyRequest>("/authz.v1.Admin/DetachGroupPolicy", r => new("iam:DetachGroupPolicy", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<ListAttachedGroupPoliciesRequest>("/authz.v1.Admin/ListAttachedGroupPolicies", r => new("iam:ListAttachedGroupPolicies", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<AttachRolePolicyRequest>("/authz.v1.Admin/AttachRolePolicy", r => new("iam:AttachRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<DetachRolePolicyRequest>("/authz.v1.Admin/DetachRolePolicy", r => new("iam:DetachRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<ListAttachedRolePoliciesRequest>("/authz.v1.Admin/ListAttachedRolePolicies", r => new("iam:ListAttachedRolePolicies", r.TenantId, Role(r.TenantId, r.RoleName))),

        // ---- Inline policies
        Map<PutUserPolicyRequest>("/authz.v1.Admin/PutUserPolicy", r => new("iam:PutUserPolicy", r.TenantId, User(r.TenantId, r.UserName))),
        Map<GetUserPolicyRequest>("/authz.v1.Admin/GetUserPolicy", r => new("iam:GetUserPolicy", r.TenantId, User(r.TenantId, r.UserName))),
        Map<DeleteUserPolicyRequest>("/authz.v1.Admin/DeleteUserPolicy", r => new("iam:DeleteUserPolicy", r.TenantId, User(r.TenantId, r.UserName))),
        Map<ListUserPoliciesRequest>("/authz.v1.Admin/ListUserPolicies", r => new("iam:ListUserPolicies", r.TenantId, User(r.TenantId, r.UserName))),
        Map<PutGroupPolicyRequest>("/authz.v1.Admin/PutGroupPolicy", r => new("iam:PutGroupPolicy", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<GetGroupPolicyRequest>("/authz.v1.Admin/GetGroupPolicy", r => new("iam:GetGroupPolicy", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<DeleteGroupPolicyRequest>("/authz.v1.Admin/DeleteGroupPolicy", r => new("iam:DeleteGroupPolicy", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<ListGroupPoliciesRequest>("/authz.v1.Admin/ListGroupPolicies", r => new("iam:ListGroupPolicies", r.TenantId, Group(r.TenantId, r.GroupName))),
        Map<PutRolePolicyRequest>("/authz.v1.Admin/PutRolePolicy", r => new("iam:PutRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<GetRolePolicyRequest>("/authz.v1.Admin/GetRolePolicy", r => new("iam:GetRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<DeleteRolePolicyRequest>("/authz.v1.Admin/DeleteRolePolicy", r => new("iam:DeleteRolePolicy", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<ListRolePoliciesRequest>("/authz.v1.Admin/ListRolePolicies", r => new("iam:ListRolePolicies", r.TenantId, Role(r.TenantId, r.RoleName))),

        // ---- Permissions boundaries
        Map<PutUserPermissionsBoundaryRequest>("/authz.v1.Admin/PutUserPermissionsBoundary", r => new("iam:PutUserPermissionsBoundary", r.TenantId, User(r.TenantId, r.UserName))),
        Map<DeleteUserPermissionsBoundaryRequest>("/authz.v1.Admin/DeleteUserPermissionsBoundary", r => new("iam:DeleteUserPermissionsBoundary", r.TenantId, User(r.TenantId, r.UserName))),
        Map<PutRolePermissionsBoundaryRequest>("/authz.v1.Admin/PutRolePermissionsBoundary", r => new("iam:PutRolePermissionsBoundary", r.TenantId, Role(r.TenantId, r.RoleName))),
        Map<DeleteRolePermissionsBoundaryRequest>("/authz.v1.Admin/DeleteRolePermissionsBoundary", r => new("iam:DeleteRolePermissionsBoundary", r.TenantId, Role(r.TenantId, r.RoleName))),

        // ---- Resources: on the resource ARN; a resource owned by another tenant is that tenant's to grant.
        Map<RegisterResourceRequest>("/authz.v1.Admin/RegisterResource", r => new("authz:RegisterResource", r.TenantId, r.ResourceArn)),
        Map<GetResourceRequest>("/authz.v1.Admin/GetResource", r => new("authz:GetResource", r.TenantId, r.ResourceArn)),
        Map<ListResourcesRequest>("/authz.v1.Admin/ListResources", r => new("authz:ListResources", r.TenantId, Root(r.TenantId))),
        Map<DeregisterResourceRequest>("/authz.v1.Admin/DeregisterResource", r => new("authz:DeregisterResource", r.TenantId, r.ResourceArn)),
        Map<PutResourcePolicyRequest>("/authz.v1.Admin/PutResourcePolicy", r => new("authz:PutResourcePolicy", r.TenantId, r.ResourceArn)),
        Map<GetResourcePolicyRequest>("/authz.v1.Admin/GetResourcePolicy", r => new("authz:GetResourcePolicy", r.TenantId, r.ResourceArn)),
        Map<DeleteResourcePolicyRequest>("/authz.v1.Admin/DeleteResourcePolicy", r => new("authz:DeleteResourcePolicy", r.TenantId, r.ResourceArn)),

        // ---- Tenant guardrails: on the tenant's root.
        Map<PutTenantGuardrailRequest>("/authz.v1.Admin/PutTenantGuardrail", r => new("authz:PutTenantGuardrail", r.TenantId, Root(r.TenantId))),
        Map<GetTenantGuardrailRequest>("/authz.v1.Admin/GetTenantGuardrail", r => new("authz:GetTenantGuardrail", r.TenantId, Root(r.TenantId))),
        Map<ListTenantGuardrailsRequest>("/authz.v1.Admin/ListTenantGuardrails", r => new("authz:ListTenantGuardrails", r.TenantId, Root(r.TenantId))),
        Map<DeleteTenantGuardrailRequest>("/authz.v1.Admin/DeleteTenantGuardrail", r => new("authz:DeleteTenantGuardrail", r.TenantId, Root(r.TenantId))),

        // ---- Validation touches no data: the caller's own tenant.
        Map<ValidatePolicyRequest>("/authz.v1.Admin/ValidatePolicy", _ => new("authz:ValidatePolicy", "", "*")),

        // ---- Access keys: on the user or role; UpdateAccessKey and DeleteAccessKey name only the key, so the tenant's root.
        Map<CreateAccessKeyRequest>("/authz.v1.Admin/CreateAccessKey", r => new("iam:CreateAccessKey", r.TenantId, KeyOwner(r.TenantId, r.UserName, r.RoleName))),
        Map<ListAccessKeysRequest>("/authz.v1.Admin/ListAccessKeys", r => new("iam:ListAccessKeys", r.TenantId, KeyOwner(r.TenantId, r.UserName, r.RoleName))),
        Map<UpdateAccessKeyRequest>("/authz.v1.Admin/UpdateAccessKey", r => new("iam:UpdateAccessKey", r.TenantId, Root(r.TenantId))),
        Map<DeleteAccessKeyRequest>("/authz.v1.Admin/DeleteAccessKey", r => new("iam:DeleteAccessKey", r.TenantId, Root(r.TenantId))),

        // ---- Audit
        Map<ListAuditEventsRequest>("/authz.v1.Admin/ListAuditEvents", r => new("authz:ListAuditEvents", r.TenantId, Root(r.TenantId))),

        // ---- Decisions: authz:Authorize in the tenant asked about (the request's tenant, else the principal's account).
        Map<AuthorizeRequest>("/authz.v1.Authorization/Authorize", r => CheckAction(CheckTenant(r))),
        Map<SimulatePrincipalPolicyRequest>("/authz.v1.Authorization/SimulatePrincipalPolicy", r =>
        {
            var tenant = FirstNonEmpty(r.TenantId, r.ResourceOwner, AccountOf(r.PolicySourceArn).ToString());
            return new("authz:SimulatePrincipalPolicy", tenant, Root(tenant));
        }),
        Map<SimulateCustomPolicyRequest>("/authz.v1.Authorization/SimulateCustomPolicy", _ => new("authz:SimulateCustomPolicy", "", "*")),
    ];

    /// <summary>BatchAuthorize is one <c>authz:Authorize</c> per distinct tenant of its checks.</summary>
    public const string BatchAuthorizeMethod = "/authz.v1.Authorization/BatchAuthorize";

    /// <summary>The table, by full gRPC method name (<c>/authz.v1.Admin/CreateUser</c>).</summary>
    public static readonly FrozenDictionary<string, Func<IMessage, AdminAction>> ByMethod = Entries.ToFrozenDictionary();

    /// <summary>What <paramref name="request"/> of <paramref name="method"/> asks to do; several for a batch; empty when the method is unknown.</summary>
    public static IEnumerable<AdminAction> Of(string method, IMessage request)
    {
        if (method == BatchAuthorizeMethod && request is BatchAuthorizeRequest batch)
        {
            return batch.Checks.Select(CheckTenant).Distinct(StringComparer.Ordinal).Select(CheckAction);
        }

        return ByMethod.TryGetValue(method, out var map) ? [map(request)] : [];
    }

    /// <summary>Whether <paramref name="method"/> is mapped.</summary>
    public static bool Knows(string method) => method == BatchAuthorizeMethod || ByMethod.ContainsKey(method);

    private static string KeyOwner(string tenantId, string userName, string roleName) =>
        userName.Length > 0 || roleName.Length == 0 ? User(tenantId, userName) : Role(tenantId, roleName);

    private static string CheckTenant(AuthorizeRequest r) => CheckTenantOf(r).ToString();

    private static AdminAction CheckAction(string tenantId) => new("authz:Authorize", tenantId, Root(tenantId));

    /// <summary>The tenant a check is asked about, as given: its <c>tenant_id</c>, else its principal ARN's account; may be malformed.</summary>
    public static ReadOnlySpan<char> CheckTenantOf(AuthorizeRequest r) => r.TenantId.Length > 0 ? r.TenantId : AccountOf(r.Principal);

    private static string FirstNonEmpty(params string[] values) => values.FirstOrDefault(v => v.Length > 0) ?? "";

    /// <summary>The account field of an ARN (<c>arn:aws:iam::&lt;account&gt;:...</c>), or empty; allocates nothing.</summary>
    private static ReadOnlySpan<char> AccountOf(string arn)
    {
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return "";
        }

        var rest = arn.AsSpan(4); // partition:service:region:account:...
        for (var i = 0; i < 3; i++)
        {
            var colon = rest.IndexOf(':');
            if (colon < 0)
            {
                return "";
            }

            rest = rest[(colon + 1)..];
        }

        var end = rest.IndexOf(':');
        return end < 0 ? rest : rest[..end];
    }
}
