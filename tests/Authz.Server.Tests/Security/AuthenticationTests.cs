using Authz.Server.Security;
using Authz.V1;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;
using Grpc.Health.V1;
using AccessKeyStatus = Authz.V1.AccessKeyStatus;

namespace Authz.Server.Tests.Security;

/// <summary>Access keys and the authentication of calls, against the shared admin API server.</summary>
[Collection(AdminApiCollection.Name)]
public sealed class AuthenticationTests(AdminApiFixture api)
{
    [Fact]
    public async Task A_call_without_credentials_is_unauthenticated_but_health_stays_open()
    {
        using var anonymous = api.Host.CreateChannel(apiKey: null);
        var admin = new Admin.AdminClient(anonymous);
        var error = await Assert.ThrowsAsync<RpcException>(() => admin.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var check = await Assert.ThrowsAsync<RpcException>(() => new Authorization.AuthorizationClient(anonymous).AuthorizeAsync(new AuthorizeRequest
        {
            Principal = "arn:aws:iam::111111111111:user/alice", Action = "s3:GetObject", Resource = "*",
        }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, check.StatusCode);

        var health = await new Grpc.Health.V1.Health.HealthClient(anonymous).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Unknown_keys_wrong_secrets_and_malformed_tokens_are_refused_alike()
    {
        var tenant = await api.NewTenantAsync();
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "alice" });
        var key = (await api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "alice" })).AccessKey;
        string[] bad =
        [
            "AKIAAAAAAAAAAAAAAAAA.no-such-key-secret-0000000000",
            key.AccessKeyId + ".wrong" + key.SecretAccessKey[5..],
            ServerHost.BootstrapKey[..^1] + "x",
            "not-a-token",
        ];
        foreach (var token in bad)
        {
            using var channel = api.Host.CreateChannel(token);
            var error = await Assert.ThrowsAsync<RpcException>(() =>
                new Admin.AdminClient(channel).GetTenantAsync(new GetTenantRequest { TenantId = tenant }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Equal("invalid credentials", error.Status.Detail);
        }
    }

    [Fact]
    public async Task An_access_key_signs_calls_until_it_is_deactivated_or_deleted()
    {
        var tenant = await api.NewTenantAsync();
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "alice" });
        await api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenant, UserName = "alice", PolicyName = "admin", PolicyDocument = Rpc.Allow("*") });
        var created = await api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "alice" });
        var key = created.AccessKey;
        Assert.Matches("^AKIA[A-Z2-7]{16}$", key.AccessKeyId);
        Assert.Equal(40, key.SecretAccessKey.Length);
        Assert.Equal(AccessKeyStatus.Active, key.Status);
        Assert.Equal("alice", key.UserName);

        var listed = await api.Admin.ListAccessKeysAsync(new ListAccessKeysRequest { TenantId = tenant, UserName = "alice" });
        var metadata = Assert.Single(listed.AccessKeyMetadata);
        Assert.Equal(key.AccessKeyId, metadata.AccessKeyId);
        Assert.DoesNotContain(key.SecretAccessKey, listed.ToString(), StringComparison.Ordinal);

        using var channel = api.Host.CreateChannel(key.AccessKeyId + "." + key.SecretAccessKey);
        var asAlice = new Admin.AdminClient(channel);
        Assert.Equal(tenant, (await asAlice.GetTenantAsync(new GetTenantRequest { TenantId = tenant })).Tenant.TenantId);
        // A second call is served from the verification cache.
        Assert.Equal(tenant, (await asAlice.GetTenantAsync(new GetTenantRequest { TenantId = tenant })).Tenant.TenantId);

        await api.Admin.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId, Status = AccessKeyStatus.Inactive });
        var inactive = await Assert.ThrowsAsync<RpcException>(() => asAlice.GetTenantAsync(new GetTenantRequest { TenantId = tenant }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, inactive.StatusCode);

        await api.Admin.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId, Status = AccessKeyStatus.Active });
        Assert.Equal(tenant, (await asAlice.GetTenantAsync(new GetTenantRequest { TenantId = tenant })).Tenant.TenantId);

        await api.Admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId });
        var deleted = await Assert.ThrowsAsync<RpcException>(() => asAlice.GetTenantAsync(new GetTenantRequest { TenantId = tenant }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, deleted.StatusCode);
        Assert.Empty((await api.Admin.ListAccessKeysAsync(new ListAccessKeysRequest { TenantId = tenant, UserName = "alice" })).AccessKeyMetadata);
    }

    [Fact]
    public async Task A_header_verified_before_is_refused_as_soon_as_its_key_is_deactivated()
    {
        // Kestrel hands a connection's next calls the string object of an authorization header it has seen, and the
        // authenticator recognizes a verified string by reference, without a digest. A deactivation ends that at once.
        var tenant = await api.NewTenantAsync();
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "carol" });
        var key = (await api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "carol" })).AccessKey;
        var authenticator = api.Host.App.Services.GetRequiredService<AccessKeyAuthenticator>();
        var header = "Bearer " + key.AccessKeyId + "." + key.SecretAccessKey;

        Assert.Equal(key.AccessKeyId, (await authenticator.AuthenticateAsync(header))?.AccessKeyId);
        Assert.Equal(key.AccessKeyId, (await authenticator.AuthenticateAsync(header))?.AccessKeyId);
        Assert.Null(await authenticator.AuthenticateAsync(header[..^1] + (header[^1] == 'A' ? 'B' : 'A')));

        await api.Admin.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId, Status = AccessKeyStatus.Inactive });
        Assert.Null(await authenticator.AuthenticateAsync(header));
        Assert.Null(await authenticator.AuthenticateAsync(new string(header)));

        await api.Admin.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId, Status = AccessKeyStatus.Active });
        Assert.Equal(key.AccessKeyId, (await authenticator.AuthenticateAsync(header))?.AccessKeyId);

        await api.Admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { TenantId = tenant, AccessKeyId = key.AccessKeyId });
        Assert.Null(await authenticator.AuthenticateAsync(header));
    }

    [Fact]
    public async Task Keys_are_bound_to_an_existing_user_or_role_and_limited_to_two()
    {
        var tenant = await api.NewTenantAsync();
        await Rpc.Fails(StatusCode.NotFound, () => api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "ghost" }).ResponseAsync);
        await Rpc.Invalid("user_name", () => api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant }).ResponseAsync);
        await api.Admin.CreateRoleAsync(new CreateRoleRequest { TenantId = tenant, RoleName = "deployer", AssumeRolePolicyDocument = Rpc.Trust() });
        for (var i = 0; i < 2; i++)
        {
            var key = await api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, RoleName = "deployer" });
            Assert.Equal("deployer", key.AccessKey.RoleName);
        }

        await Rpc.Fails(StatusCode.ResourceExhausted, () => api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, RoleName = "deployer" }).ResponseAsync);
        Assert.Equal(2, (await api.Admin.ListAccessKeysAsync(new ListAccessKeysRequest { TenantId = tenant, RoleName = "deployer" })).AccessKeyMetadata.Count);
        await Rpc.Invalid("access_key_id", () => api.Admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { TenantId = tenant, AccessKeyId = "nope" }).ResponseAsync);
        await Rpc.Fails(StatusCode.NotFound, () => api.Admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { TenantId = tenant, AccessKeyId = "AKIAAAAAAAAAAAAAAAAA" }).ResponseAsync);
    }
}

/// <summary>The bootstrap key file and the explicit opt-out, each on a server of its own.</summary>
public sealed class BootstrapTests
{
    [Fact]
    public async Task Without_a_configured_key_one_is_generated_in_the_data_directory_with_mode_0600_and_works()
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();
        var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
        settings.Remove("Authz:Security:BootstrapKey");
        await using var host = ServerHost.Build(ports, dataDirectory, settings);
        await host.StartAsync();

        var path = Path.Combine(dataDirectory, "bootstrap.key");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var key = (await File.ReadAllTextAsync(path)).Trim();
        Assert.Matches("^AKIA[A-Z2-7]{16}\\.[A-Za-z0-9_-]{40}$", key);
        using var channel = host.CreateChannel(key);
        await new Admin.AdminClient(channel).ListTenantsAsync(new ListTenantsRequest());
        using var wrong = host.CreateChannel();
        var error = await Assert.ThrowsAsync<RpcException>(() => new Admin.AdminClient(wrong).ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Authentication_can_only_be_disabled_explicitly()
    {
        await using var host = await ServerHost.StartEmbeddedAsync(
            new Dictionary<string, string?> { ["Authz:Security:Enabled"] = "false" });
        using var anonymous = host.CreateChannel(apiKey: null);
        await new Admin.AdminClient(anonymous).ListTenantsAsync(new ListTenantsRequest());
    }
}
