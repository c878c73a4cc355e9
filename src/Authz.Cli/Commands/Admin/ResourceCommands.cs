using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// <c>authz resource register|get|list|deregister</c> and <c>authz resource-policy put|get|delete</c>: resources owned
/// by a tenant, their tags (<c>aws:ResourceTag/&lt;key&gt;</c>) and the resource policy on them and every ARN under them.
/// </summary>
public static class ResourceCommands
{
    public static Command CreateResource(AdminGlobals globals)
    {
        var group = new AdminGroup("resource", "Resources: ARNs owned by a tenant, with tags (aws:ResourceTag/<key>)", globals);
        var tenant = AdminOptions.Tenant();
        var arn = AdminOptions.ResourceArn();
        var tags = AdminOptions.Tags();
        var prefix = AdminOptions.Optional("--arn-prefix", "Only resources whose ARN starts with this");

        group.Unary("register", "Register a resource to a tenant with its tags (again: replace the tags)", [tenant, arn, tags],
            (p, c) => c.Admin.RegisterResourceAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn), Tags = { p.TagsOf(tags) } }));
        group.Unary("get", "Show a resource", [tenant, arn],
            (p, c) => c.Admin.GetResourceAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn) }));
        group.List("list", "List a tenant's resources", [tenant, prefix],
            (p, c, page) => c.Admin.ListResourcesAsync(new() { TenantId = p.GetRequiredValue(tenant), ArnPrefix = p.ValueOrEmpty(prefix), PageToken = page }),
            r => r.Resources,
            new("RESOURCE", r => r.ResourceArn), new("POLICY", r => r.HasResourcePolicy ? "yes" : ""), new("TAGS", r => MessagePrinter.Tags(r.Tags)));
        group.Unary("deregister", "Remove a resource, its tags and its resource policy", [tenant, arn],
            (p, c) => c.Admin.DeregisterResourceAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn) }));
        return group.Command;
    }

    public static Command CreateResourcePolicy(AdminGlobals globals)
    {
        var group = new AdminGroup("resource-policy", "Resource policies: who may do what on a resource and every ARN under it", globals);
        var tenant = AdminOptions.Tenant();
        var arn = AdminOptions.ResourceArn();
        var document = new PolicyDocumentInput("resource policy");

        group.Unary("put", "Create or replace the resource policy on an ARN (registering it when new)", [tenant, arn, .. document.Symbols],
            (p, c) => c.Admin.PutResourcePolicyAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn), PolicyDocument = document.Read(p, c.Globals.Input) }));
        group.Unary("get", "Show the resource policy on an ARN", [tenant, arn],
            (p, c) => c.Admin.GetResourcePolicyAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn) }));
        group.Unary("delete", "Delete the resource policy on an ARN", [tenant, arn],
            (p, c) => c.Admin.DeleteResourcePolicyAsync(new() { TenantId = p.GetRequiredValue(tenant), ResourceArn = p.GetRequiredValue(arn) }));
        return group.Command;
    }
}
