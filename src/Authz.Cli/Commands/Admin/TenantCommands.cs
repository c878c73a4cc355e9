using System.CommandLine;
using System.Globalization;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz tenant create|get|list|delete</c>.</summary>
public static class TenantCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("tenant", "Tenants: accounts with a 12-digit id that own identities, policies, resources and guardrails", globals);
        var tenant = AdminOptions.Tenant();
        var name = AdminOptions.Required("--name", "A display name, 1-128 characters");

        group.Unary("create", "Create a tenant", [tenant, name],
            (p, c) => c.Admin.CreateTenantAsync(new() { TenantId = p.GetRequiredValue(tenant), Name = p.GetRequiredValue(name) }));
        group.Unary("get", "Show a tenant and its current revision", [tenant],
            (p, c) => c.Admin.GetTenantAsync(new() { TenantId = p.GetRequiredValue(tenant) }));
        group.List("list", "List the tenants", [],
            (p, c, page) => c.Admin.ListTenantsAsync(new() { PageToken = page }), r => r.Tenants,
            new("TENANT_ID", t => t.TenantId), new("REVISION", t => t.Revision.ToString(CultureInfo.InvariantCulture)),
            new("CREATED", t => MessagePrinter.Time(t.CreateDate)), new("NAME", t => t.Name));
        group.Unary("delete", "Delete a tenant with everything in it", [tenant],
            (p, c) => c.Admin.DeleteTenantAsync(new() { TenantId = p.GetRequiredValue(tenant) }));
        return group.Command;
    }
}
