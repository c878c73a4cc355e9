using System.CommandLine;
using System.Globalization;
using Authz.V1;
using Google.Protobuf;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// <c>authz policy create|get|list|delete|create-version|set-default|list-versions|delete-version|attach|detach</c>:
/// managed policies, addressed by ARN, with up to five versions, attached to users, groups and roles.
/// </summary>
public static class PolicyCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("policy", "Managed policies: versioned identity policies attached to users, groups and roles", globals);
        var tenant = AdminOptions.Tenant();
        var name = AdminOptions.Required("--policy-name", "The policy name");
        var arn = AdminOptions.PolicyArn();
        var path = AdminOptions.Path();
        var pathPrefix = AdminOptions.PathPrefix();
        var description = AdminOptions.Optional("--description", "What the policy is for");
        var version = AdminOptions.Optional("--version-id", "A version, v1, v2, ...; without it, the policy itself");
        var requiredVersion = AdminOptions.Required("--version-id", "The version, v1, v2, ...");
        var setAsDefault = new Option<bool>("--set-as-default") { Description = "Make the new version the one in force at once" };
        var onlyAttached = new Option<bool>("--only-attached") { Description = "Only policies attached to a user, group or role" };
        var document = new PolicyDocumentInput("identity policy");
        var entity = new EntityChoice(EntityKind.User, EntityKind.Group, EntityKind.Role);

        group.Unary("create", "Create a managed policy; its version v1 is the default", [tenant, name, path, description, .. document.Symbols],
            (p, c) => c.Admin.CreatePolicyAsync(new()
            {
                TenantId = p.GetRequiredValue(tenant), PolicyName = p.GetRequiredValue(name), Path = p.ValueOrEmpty(path),
                Description = p.ValueOrEmpty(description), PolicyDocument = document.Read(p, c.Globals.Input),
            }));
        group.Unary("get", "Show a managed policy, or one version of it with its document", [arn, version],
            async (p, c) => p.GetValue(version) is { Length: > 0 } v
                ? await c.Admin.GetPolicyVersionAsync(new() { PolicyArn = p.GetRequiredValue(arn), VersionId = v })
                : (IMessage)await c.Admin.GetPolicyAsync(new() { PolicyArn = p.GetRequiredValue(arn) }));
        group.List("list", "List a tenant's managed policies", [tenant, onlyAttached, pathPrefix],
            (p, c, page) => c.Admin.ListPoliciesAsync(new()
            {
                TenantId = p.GetRequiredValue(tenant), OnlyAttached = p.GetValue(onlyAttached), PathPrefix = p.ValueOrEmpty(pathPrefix), PageToken = page,
            }),
            r => r.Policies,
            new("POLICY", x => x.PolicyName), new("DEFAULT", x => x.DefaultVersionId),
            new("ATTACHMENTS", x => x.AttachmentCount.ToString(CultureInfo.InvariantCulture)), new("ARN", x => x.Arn));
        group.Unary("delete", "Delete a managed policy (refused while attached or used as a boundary)", [arn],
            (p, c) => c.Admin.DeletePolicyAsync(new() { PolicyArn = p.GetRequiredValue(arn) }));
        group.Unary("create-version", "Add a version (at most five are kept)", [arn, setAsDefault, .. document.Symbols],
            (p, c) => c.Admin.CreatePolicyVersionAsync(new()
            {
                PolicyArn = p.GetRequiredValue(arn), PolicyDocument = document.Read(p, c.Globals.Input), SetAsDefault = p.GetValue(setAsDefault),
            }));
        group.Unary("set-default", "Put another version in force everywhere the policy is attached", [arn, requiredVersion],
            (p, c) => c.Admin.SetDefaultPolicyVersionAsync(new() { PolicyArn = p.GetRequiredValue(arn), VersionId = p.GetRequiredValue(requiredVersion) }));
        group.List("list-versions", "List a policy's versions, newest first (with --output json, their documents too)", [arn],
            (p, c, page) => c.Admin.ListPolicyVersionsAsync(new() { PolicyArn = p.GetRequiredValue(arn), PageToken = page }),
            r => r.Versions,
            new("VERSION", v => v.VersionId), new("DEFAULT", v => v.IsDefaultVersion ? "yes" : ""), new("CREATED", v => MessagePrinter.Time(v.CreateDate)));
        group.Unary("delete-version", "Delete a version other than the default", [arn, requiredVersion],
            (p, c) => c.Admin.DeletePolicyVersionAsync(new() { PolicyArn = p.GetRequiredValue(arn), VersionId = p.GetRequiredValue(requiredVersion) }));
        group.Unary("attach", "Attach a managed policy to a user, a group or a role", [tenant, arn, .. entity.Symbols],
            (p, c) => Attach(c, p.GetRequiredValue(tenant), p.GetRequiredValue(arn), entity.Get(p)));
        group.Unary("detach", "Detach a managed policy from a user, a group or a role", [tenant, arn, .. entity.Symbols],
            (p, c) => Detach(c, p.GetRequiredValue(tenant), p.GetRequiredValue(arn), entity.Get(p)));
        return group.Command;
    }

    private static async Task<IMessage> Attach(AdminInvocation c, string tenant, string arn, (EntityKind Kind, string Name) entity) => entity.Kind switch
    {
        EntityKind.User => await c.Admin.AttachUserPolicyAsync(new() { TenantId = tenant, UserName = entity.Name, PolicyArn = arn }),
        EntityKind.Group => await c.Admin.AttachGroupPolicyAsync(new() { TenantId = tenant, GroupName = entity.Name, PolicyArn = arn }),
        _ => await c.Admin.AttachRolePolicyAsync(new() { TenantId = tenant, RoleName = entity.Name, PolicyArn = arn }),
    };

    private static async Task<IMessage> Detach(AdminInvocation c, string tenant, string arn, (EntityKind Kind, string Name) entity) => entity.Kind switch
    {
        EntityKind.User => await c.Admin.DetachUserPolicyAsync(new() { TenantId = tenant, UserName = entity.Name, PolicyArn = arn }),
        EntityKind.Group => await c.Admin.DetachGroupPolicyAsync(new() { TenantId = tenant, GroupName = entity.Name, PolicyArn = arn }),
        _ => await c.Admin.DetachRolePolicyAsync(new() { TenantId = tenant, RoleName = entity.Name, PolicyArn = arn }),
    };
}
