using System.Globalization;
using System.Text.RegularExpressions;
using Authz.V1;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Authz.Server.Tests.Decisions;

/// <summary>The check path's metrics, as Prometheus scrapes them from the metrics port (not the gRPC port).</summary>
public sealed partial class MetricsEndpointTests
{
    private const string Tenant = "314159265358";

    [Fact]
    public async Task Checks_are_counted_by_decision_and_tenant_and_cache_lookups_and_staleness_are_measured()
    {
        await using var host = await ServerHost.StartEmbeddedAsync();
        using var channel = host.CreateChannel();
        var admin = new Admin.AdminClient(channel);
        var authorization = new Authorization.AuthorizationClient(channel);
        await admin.CreateTenantAsync(new CreateTenantRequest { TenantId = Tenant, Name = "metrics" });
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = Tenant, UserName = "alice" });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = Tenant, UserName = "alice", PolicyName = "read",
            PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""",
        });

        using var http = new HttpClient { BaseAddress = MetricsAddress(host) };
        var before = await ScrapeAsync(http);
        var principal = $"arn:aws:iam::{Tenant}:user/alice";
        for (var i = 0; i < 5; i++)
        {
            await authorization.AuthorizeAsync(new AuthorizeRequest { Principal = principal, Action = "s3:GetObject", Resource = "arn:aws:s3:::b/k" });
        }

        for (var i = 0; i < 3; i++)
        {
            await authorization.AuthorizeAsync(new AuthorizeRequest { Principal = principal, Action = "s3:PutObject", Resource = "arn:aws:s3:::b/k" });
        }

        // An unknown principal is an implicit deny of its tenant.
        await authorization.AuthorizeAsync(new AuthorizeRequest { Principal = $"arn:aws:iam::{Tenant}:user/nobody", Action = "s3:GetObject", Resource = "*" });
        await authorization.AuthorizeAsync(new AuthorizeRequest { TenantId = "999999999999", Principal = principal, Action = "s3:GetObject", Resource = "*" });

        // The exporter serves a cached scrape for a short while: scrape again until this one is reflected.
        var after = before;
        for (var waited = 0; waited < 10_000 && Value(after, "authz_checks_total", "ImplicitDeny", Tenant) < 4; waited += 100)
        {
            await Task.Delay(100);
            after = await ScrapeAsync(http);
        }

        Assert.Equal(5, Value(after, "authz_checks_total", "Allow", Tenant) - Value(before, "authz_checks_total", "Allow", Tenant));
        Assert.Equal(4, Value(after, "authz_checks_total", "ImplicitDeny", Tenant) - Value(before, "authz_checks_total", "ImplicitDeny", Tenant));
        // A tenant that does not exist is one bucket, whatever id the request made up (other tests' servers in this
        // process count into it too).
        Assert.True(1 <= Value(after, "authz_checks_total", "ImplicitDeny", "unknown") - Value(before, "authz_checks_total", "ImplicitDeny", "unknown"));
        // (A label, not the text: a sample value such as 0.0019173999999999999 may hold the digits.)
        Assert.DoesNotContain("tenant=\"999999999999\"", after);
        // The silo learned of the admin writes' revisions by notification, and measured how late.
        Assert.True(Value(after, "authz_revision_staleness_seconds_count") >= 1);
        // Every check looks up its principal and its resource; all but the first few are served from memory.
        Assert.True(Value(after, "authz_cache_hits_total") - Value(before, "authz_cache_hits_total") >= 10);
    }

    private static Uri MetricsAddress(ServerHost host)
    {
        var addresses = host.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var grpc = host.GrpcAddress.Port;
        return new Uri(addresses.Select(a => new Uri(a)).Single(a => a.Port != grpc), new Uri("/", UriKind.Relative));
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sample of <paramref name="name"/> with the given decision and tenant labels (any label order), or 0.</summary>
    private static double Value(string exposition, string name, string? decision = null, string? tenant = null)
    {
        foreach (var line in exposition.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success || match.Groups["name"].Value != name)
            {
                continue;
            }

            var labels = match.Groups["labels"].Value;
            if ((decision is null || labels.Contains($"decision=\"{decision}\"", StringComparison.Ordinal))
                && (tenant is null || labels.Contains($"tenant=\"{tenant}\"", StringComparison.Ordinal)))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Sample();
}
