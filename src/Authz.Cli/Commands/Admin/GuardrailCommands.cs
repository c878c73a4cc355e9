using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary><c>authz guardrail put|get|list|delete</c>: tenant-wide limits, like AWS service control policies.</summary>
public static class GuardrailCommands
{
    public static Command Create(AdminGlobals globals)
    {
        var group = new AdminGroup("guardrail", "Tenant guardrails: like service control policies, every principal of the tenant is limited by all of them", globals);
        var tenant = AdminOptions.Tenant();
        var name = AdminOptions.Required("--name", "The guardrail's name");
        var document = new PolicyDocumentInput("guardrail policy");

        group.Unary("put", "Create or replace a guardrail", [tenant, name, .. document.Symbols],
            (p, c) => c.Admin.PutTenantGuardrailAsync(new() { TenantId = p.GetRequiredValue(tenant), Name = p.GetRequiredValue(name), PolicyDocument = document.Read(p, c.Globals.Input) }));
        group.Unary("get", "Show a guardrail's document", [tenant, name],
            (p, c) => c.Admin.GetTenantGuardrailAsync(new() { TenantId = p.GetRequiredValue(tenant), Name = p.GetRequiredValue(name) }));
        group.List("list", "List a tenant's guardrails", [tenant],
            (p, c, page) => c.Admin.ListTenantGuardrailsAsync(new() { TenantId = p.GetRequiredValue(tenant), PageToken = page }),
            r => r.Guardrails,
            new("GUARDRAIL", g => g.Name), new("UPDATED", g => MessagePrinter.Time(g.UpdateDate)));
        group.Unary("delete", "Delete a guardrail", [tenant, name],
            (p, c) => c.Admin.DeleteTenantGuardrailAsync(new() { TenantId = p.GetRequiredValue(tenant), Name = p.GetRequiredValue(name) }));
        return group.Command;
    }
}
