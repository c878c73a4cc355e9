using System.Text.Json;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Journal;

/// <summary>The decision log of a real server: every Authorize and BatchAuthorize check, written by a graceful stop, without secrets.</summary>
public sealed class DecisionLogServerTests
{
    [Fact]
    public async Task Full_logs_every_check_of_Authorize_and_BatchAuthorize_and_never_the_bearer_secret_or_context_values()
    {
        const string contextSecret = "ctx-value-5f1e9a";
        await using var host = await ServerHost.StartEmbeddedAsync(
            new Dictionary<string, string?> { ["Authz:DecisionLog:Mode"] = "Full" });

        using var adminChannel = host.CreateChannel();
        var admin = new Admin.AdminClient(adminChannel);
        var tenant = Decisions.DecisionApiFixture.NewTenantId();
        await admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenant, Name = "decision log" });
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "alice" });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = tenant, UserName = "alice", PolicyName = "read",
            PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Sid":"ReadData","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}""",
        });
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "platform" });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenant, UserName = "platform", PolicyName = "checks", PolicyDocument = Rpc.Allow("authz:Authorize") });
        var key = (await admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "platform" })).AccessKey;
        using var platformChannel = host.CreateChannel(key.AccessKeyId + "." + key.SecretAccessKey);
        var platform = new Authorization.AuthorizationClient(platformChannel);

        var alice = $"arn:aws:iam::{tenant}:user/alice";
        AuthorizeRequest Check(string resource) => new()
        {
            TenantId = tenant, Principal = alice, Action = "s3:GetObject", Resource = resource,
            Context = { ["app:token"] = new ContextValues { Values = { contextSecret } } },
        };
        var allowed = await platform.AuthorizeAsync(Check("arn:aws:s3:::data/a"), new Metadata { { "x-request-id", "req-allow" } });
        Assert.Equal(Decision.Allow, allowed.Decision);
        await platform.AuthorizeAsync(Check("arn:aws:s3:::other/a"), new Metadata { { "x-request-id", "req-deny" } });
        await new Authorization.AuthorizationClient(adminChannel).BatchAuthorizeAsync(
            new BatchAuthorizeRequest { Checks = { Check("arn:aws:s3:::data/b"), Check("arn:aws:s3:::data/c") } },
            new Metadata { { "x-request-id", "req-batch" } });

        // A graceful stop writes what is queued; the log lives in the data directory by default.
        await host.StopAsync();
        var directory = Path.Combine(host.DataDirectory, "decisions");
        var text = string.Concat(Directory.GetFiles(directory).Select(File.ReadAllText));
        var records = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(["req-allow", "req-deny", "req-batch", "req-batch"], records.Select(r => r.GetProperty("requestId").GetString()));
        var allow = records[0];
        Assert.Equal($"arn:aws:iam::{tenant}:user/platform", allow.GetProperty("caller").GetString());
        Assert.Equal(tenant, allow.GetProperty("tenant").GetString());
        Assert.Equal(alice, allow.GetProperty("principal").GetString());
        Assert.Equal("arn:aws:s3:::data/a", allow.GetProperty("resource").GetString());
        Assert.Equal("Allow", allow.GetProperty("decision").GetString());
        Assert.Equal(allowed.Revision, allow.GetProperty("revision").GetUInt64());
        Assert.Equal("ReadData", Assert.Single(allow.GetProperty("determining").EnumerateArray()).GetProperty("sid").GetString());
        Assert.True(allow.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal("ImplicitDeny", records[1].GetProperty("decision").GetString());
        Assert.Equal("arn:aws:iam::000000000000:root", records[2].GetProperty("caller").GetString());
        Assert.Equal(["Allow", "Allow"], records.Skip(2).Select(r => r.GetProperty("decision").GetString()));

        Assert.DoesNotContain(key.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerHost.BootstrapKey.Split('.')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(contextSecret, text, StringComparison.Ordinal);
    }
}
