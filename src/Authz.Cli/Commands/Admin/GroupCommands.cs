using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz group create|get|list|delete|add-user|remove-user</c>.</summary>
public static class GroupCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("group", "Groups: their policies apply to every member", globals);
        var tenant = AdminOptions.Tenant();
        var name = AdminOptions.Group();
        var user = AdminOptions.User();
        var path = AdminOptions.Path();
        var pathPrefix = AdminOptions.PathPrefix();

        group.Unary("create", "Create a group", [tenant, name, path],
            (p, c) => c.Admin.CreateGroupAsync(new() { TenantId = p.GetRequiredValue(tenant), GroupName = p.GetRequiredValue(name), Path = p.ValueOrEmpty(path) }));
        group.Unary("get", "Show a group and its members", [tenant, name],
            (p, c) => c.Admin.GetGroupAsync(new() { TenantId = p.GetRequiredValue(tenant), GroupName = p.GetRequiredValue(name), MaxItems = 1000 }));
        group.List("list", "List groups", [tenant, pathPrefix],
            (p, c, page) => c.Admin.ListGroupsAsync(new() { TenantId = p.GetRequiredValue(tenant), PathPrefix = p.ValueOrEmpty(pathPrefix), PageToken = page }),
            r => r.Groups,
            new("GROUP", g => g.GroupName), new("PATH", g => g.Path), new("ARN", g => g.Arn));
        group.Unary("delete", "Delete a group (refused while it has members or policies)", [tenant, name],
            (p, c) => c.Admin.DeleteGroupAsync(new() { TenantId = p.GetRequiredValue(tenant), GroupName = p.GetRequiredValue(name) }));
        group.Unary("add-user", "Add a user to a group", [tenant, name, user],
            (p, c) => c.Admin.AddUserToGroupAsync(new() { TenantId = p.GetRequiredValue(tenant), GroupName = p.GetRequiredValue(name), UserName = p.GetRequiredValue(user) }));
        group.Unary("remove-user", "Remove a user from a group", [tenant, name, user],
            (p, c) => c.Admin.RemoveUserFromGroupAsync(new() { TenantId = p.GetRequiredValue(tenant), GroupName = p.GetRequiredValue(name), UserName = p.GetRequiredValue(user) }));
        return group.Command;
    }
}
