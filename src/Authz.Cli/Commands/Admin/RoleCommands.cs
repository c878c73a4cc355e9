using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz role create|get|list|delete|update-trust</c>.</summary>
public static class RoleCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("role", "Roles: identities that services and users assume, with a trust policy saying who may", globals);
        var tenant = AdminOptions.Tenant();
        var role = AdminOptions.Role();
        var path = AdminOptions.Path();
        var pathPrefix = AdminOptions.PathPrefix();
        var description = AdminOptions.Optional("--description", "What the role is for");
        var maxSession = new Option<uint>("--max-session-duration") { Description = "Seconds, 3600-43200 [default: 3600]" };
        var tags = AdminOptions.Tags();
        var boundary = AdminOptions.Optional("--permissions-boundary", "A managed policy ARN to use as the role's permissions boundary");
        var trust = new PolicyDocumentInput("trust policy");

        group.Unary("create", "Create a role with its trust policy", [tenant, role, path, description, maxSession, tags, boundary, .. trust.Symbols],
            (p, c) => c.Admin.CreateRoleAsync(new()
            {
                TenantId = p.GetRequiredValue(tenant), RoleName = p.GetRequiredValue(role), Path = p.ValueOrEmpty(path),
                AssumeRolePolicyDocument = trust.Read(p, c.Globals.Input), Description = p.ValueOrEmpty(description),
                MaxSessionDuration = p.GetValue(maxSession), Tags = { p.TagsOf(tags) }, PermissionsBoundary = p.ValueOrEmpty(boundary),
            }));
        group.Unary("get", "Show a role and its trust policy", [tenant, role],
            (p, c) => c.Admin.GetRoleAsync(new() { TenantId = p.GetRequiredValue(tenant), RoleName = p.GetRequiredValue(role) }));
        group.List("list", "List roles", [tenant, pathPrefix],
            (p, c, page) => c.Admin.ListRolesAsync(new() { TenantId = p.GetRequiredValue(tenant), PathPrefix = p.ValueOrEmpty(pathPrefix), PageToken = page }),
            r => r.Roles,
            new("ROLE", r => r.RoleName), new("PATH", r => r.Path), new("ARN", r => r.Arn), new("DESCRIPTION", r => r.Description));
        group.Unary("update-trust", "Replace a role's trust policy", [tenant, role, .. trust.Symbols],
            (p, c) => c.Admin.UpdateAssumeRolePolicyAsync(new() { TenantId = p.GetRequiredValue(tenant), RoleName = p.GetRequiredValue(role), PolicyDocument = trust.Read(p, c.Globals.Input) }));
        group.Unary("delete", "Delete a role (refused while it has policies or a boundary)", [tenant, role],
            (p, c) => c.Admin.DeleteRoleAsync(new() { TenantId = p.GetRequiredValue(tenant), RoleName = p.GetRequiredValue(role) }));
        return group.Command;
    }
}
