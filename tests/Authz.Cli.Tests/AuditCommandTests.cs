using System.CommandLine;
using System.Globalization;
using Authz.Cli.Commands;
using Authz.Cli.Tests.Admin;

namespace Authz.Cli.Tests;

/// <summary><c>authz audit list</c> against the real server of the admin command tests.</summary>
[Collection(AdminServerCollection.Name)]
public sealed class AuditCommandTests(AdminServerFixture server)
{
    [Fact]
    public async Task Audit_list_prints_the_changes_of_a_tenant_with_caller_and_revisions()
    {
        var tenant = AdminServerFixture.NewTenantId();
        (await server.RunAsync("tenant", "create", "--tenant", tenant, "--name", "audited")).Succeeded();

        var root = new RootCommand("authz") { AuditCommand.Create() };
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await root.Parse(["audit", "list", "--tenant", tenant, "--target", server.Target, "--api-key", AdminServerFixture.BootstrapKey])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exit == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("CreateTenant", text, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::000000000000:root", text, StringComparison.Ordinal);
        Assert.Contains("0->1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cli-test-bootstrap-secret", text, StringComparison.Ordinal);
    }
}
