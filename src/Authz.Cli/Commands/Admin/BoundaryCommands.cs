using System.CommandLine;
using Authz.V1;
using Google.Protobuf;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz boundary put|delete</c>: a managed policy that caps what a user's or role's identity policies grant.</summary>
public static class BoundaryCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("boundary", "Permissions boundaries: managed policies that cap what a user's or role's policies can grant", globals);
        var tenant = AdminOptions.Tenant();
        var arn = AdminOptions.PolicyArn("The managed policy to use as the boundary");
        var entity = new EntityChoice(EntityKind.User, EntityKind.Role);

        group.Unary("put", "Set (or replace) the permissions boundary of a user or role", [tenant, .. entity.Symbols, arn],
            async (p, c) =>
            {
                var (kind, owner) = entity.Get(p);
                var (t, a) = (p.GetRequiredValue(tenant), p.GetRequiredValue(arn));
                return kind == EntityKind.User
                    ? await c.Admin.PutUserPermissionsBoundaryAsync(new() { TenantId = t, UserName = owner, PolicyArn = a })
                    : (IMessage)await c.Admin.PutRolePermissionsBoundaryAsync(new() { TenantId = t, RoleName = owner, PolicyArn = a });
            });
        group.Unary("delete", "Remove the permissions boundary of a user or role", [tenant, .. entity.Symbols],
            async (p, c) =>
            {
                var (kind, owner) = entity.Get(p);
                var t = p.GetRequiredValue(tenant);
                return kind == EntityKind.User
                    ? await c.Admin.DeleteUserPermissionsBoundaryAsync(new() { TenantId = t, UserName = owner })
                    : (IMessage)await c.Admin.DeleteRolePermissionsBoundaryAsync(new() { TenantId = t, RoleName = owner });
            });
        return group.Command;
    }
}
