using System.CommandLine;
using Authz.V1;
using Google.Protobuf;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz inline-policy put|get|delete</c>: policies embedded in one user, group or role.</summary>
public static class InlinePolicyCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("inline-policy", "Inline policies: identity policies embedded in one user, group or role", globals);
        var tenant = AdminOptions.Tenant();
        var name = AdminOptions.Required("--policy-name", "The inline policy's name, unique within its user, group or role");
        var entity = new EntityChoice(EntityKind.User, EntityKind.Group, EntityKind.Role);
        var document = new PolicyDocumentInput("identity policy");

        group.Unary("put", "Create or replace an inline policy", [tenant, .. entity.Symbols, name, .. document.Symbols],
            async (p, c) =>
            {
                var (kind, owner) = entity.Get(p);
                var (t, n, d) = (p.GetRequiredValue(tenant), p.GetRequiredValue(name), document.Read(p, c.Globals.Input));
                return kind switch
                {
                    EntityKind.User => await c.Admin.PutUserPolicyAsync(new() { TenantId = t, UserName = owner, PolicyName = n, PolicyDocument = d }),
                    EntityKind.Group => await c.Admin.PutGroupPolicyAsync(new() { TenantId = t, GroupName = owner, PolicyName = n, PolicyDocument = d }),
                    _ => (IMessage)await c.Admin.PutRolePolicyAsync(new() { TenantId = t, RoleName = owner, PolicyName = n, PolicyDocument = d }),
                };
            });
        group.Unary("get", "Show an inline policy's document", [tenant, .. entity.Symbols, name],
            async (p, c) =>
            {
                var (kind, owner) = entity.Get(p);
                var (t, n) = (p.GetRequiredValue(tenant), p.GetRequiredValue(name));
                return kind switch
                {
                    EntityKind.User => await c.Admin.GetUserPolicyAsync(new() { TenantId = t, UserName = owner, PolicyName = n }),
                    EntityKind.Group => await c.Admin.GetGroupPolicyAsync(new() { TenantId = t, GroupName = owner, PolicyName = n }),
                    _ => (IMessage)await c.Admin.GetRolePolicyAsync(new() { TenantId = t, RoleName = owner, PolicyName = n }),
                };
            });
        group.Unary("delete", "Delete an inline policy", [tenant, .. entity.Symbols, name],
            async (p, c) =>
            {
                var (kind, owner) = entity.Get(p);
                var (t, n) = (p.GetRequiredValue(tenant), p.GetRequiredValue(name));
                return kind switch
                {
                    EntityKind.User => await c.Admin.DeleteUserPolicyAsync(new() { TenantId = t, UserName = owner, PolicyName = n }),
                    EntityKind.Group => await c.Admin.DeleteGroupPolicyAsync(new() { TenantId = t, GroupName = owner, PolicyName = n }),
                    _ => (IMessage)await c.Admin.DeleteRolePolicyAsync(new() { TenantId = t, RoleName = owner, PolicyName = n }),
                };
            });
        return group.Command;
    }
}
