using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz user create|get|list|delete|tag|untag</c>.</summary>
public static class UserCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("user", "Users: people and services that call with their own identity and tags", globals);
        var tenant = AdminOptions.Tenant();
        var user = AdminOptions.User();
        var path = AdminOptions.Path();
        var pathPrefix = AdminOptions.PathPrefix();
        var tags = AdminOptions.Tags();
        var requiredTags = AdminOptions.Tags(required: true);
        var boundary = AdminOptions.Optional("--permissions-boundary", "A managed policy ARN to use as the user's permissions boundary");
        var tagKeys = new Option<string[]>("--tag-key") { Description = "A tag key to remove; repeat for more", Required = true };

        group.Unary("create", "Create a user (tags become aws:PrincipalTag/<key>)", [tenant, user, path, tags, boundary],
            (p, c) => c.Admin.CreateUserAsync(new()
            {
                TenantId = p.GetRequiredValue(tenant), UserName = p.GetRequiredValue(user), Path = p.ValueOrEmpty(path),
                Tags = { p.TagsOf(tags) }, PermissionsBoundary = p.ValueOrEmpty(boundary),
            }));
        group.Unary("get", "Show a user", [tenant, user],
            (p, c) => c.Admin.GetUserAsync(new() { TenantId = p.GetRequiredValue(tenant), UserName = p.GetRequiredValue(user) }));
        group.List("list", "List users", [tenant, pathPrefix],
            (p, c, page) => c.Admin.ListUsersAsync(new() { TenantId = p.GetRequiredValue(tenant), PathPrefix = p.ValueOrEmpty(pathPrefix), PageToken = page }),
            r => r.Users,
            new("USER", u => u.UserName), new("PATH", u => u.Path), new("ARN", u => u.Arn), new("TAGS", u => MessagePrinter.Tags(u.Tags)));
        group.Unary("delete", "Delete a user (refused while it has policies, a boundary or groups)", [tenant, user],
            (p, c) => c.Admin.DeleteUserAsync(new() { TenantId = p.GetRequiredValue(tenant), UserName = p.GetRequiredValue(user) }));
        group.Unary("tag", "Add or overwrite tags on a user", [tenant, user, requiredTags],
            (p, c) => c.Admin.TagUserAsync(new() { TenantId = p.GetRequiredValue(tenant), UserName = p.GetRequiredValue(user), Tags = { p.TagsOf(requiredTags) } }));
        group.Unary("untag", "Remove tags from a user", [tenant, user, tagKeys],
            (p, c) => c.Admin.UntagUserAsync(new() { TenantId = p.GetRequiredValue(tenant), UserName = p.GetRequiredValue(user), TagKeys = { p.GetRequiredValue(tagKeys) } }));
        return group.Command;
    }
}
