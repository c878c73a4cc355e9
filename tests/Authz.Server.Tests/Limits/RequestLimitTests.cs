using Authz.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Authz.Server.Tests.Limits;

/// <summary>A real server with small limits: 16 KiB requests, batches of 5, 3 entities per tenant.</summary>
public sealed class SmallLimitsFixture : IAsyncLifetime
{
    private ServerHost? _host;
    private GrpcChannel? _channel;

    public Admin.AdminClient Admin { get; private set; } = null!;

    public Authorization.AuthorizationClient Authorization { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartEmbeddedAsync(new Dictionary<string, string?>
        {
            ["Authz:Limits:MaxRequestBytes"] = "16384",
            ["Authz:Limits:MaxBatchSize"] = "5",
            ["Authz:Limits:MaxEntitiesPerTenant"] = "3",
        });
        _channel = _host.CreateChannel();
        Admin = new Admin.AdminClient(_channel);
        Authorization = new Authorization.AuthorizationClient(_channel);
    }

    public async Task<string> NewTenantAsync()
    {
        var id = "42" + Random.Shared.NextInt64(0, 10_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        await Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Name = "small limits" });
        return id;
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class RequestLimitTests(SmallLimitsFixture fixture) : IClassFixture<SmallLimitsFixture>
{
    private const string Allow = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}""";

    private static AuthorizeRequest Check(string tenant) => new()
    {
        Principal = $"arn:aws:iam::{tenant}:user/alice",
        Action = "s3:GetObject",
        Resource = "arn:aws:s3:::data/x",
    };

    [Theory]
    [InlineData(20_000)]
    [InlineData(32_000_000)] // beyond Kestrel's default body limit too: gRPC answers first
    public async Task An_oversized_request_is_resource_exhausted_and_the_server_keeps_serving(int characters)
    {
        var t = await fixture.NewTenantAsync();
        var oversized = Check(t);
        oversized.Context.Add("aws:RequestTag/blob", new ContextValues { Values = { new string('x', characters) } });

        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Authorization.AuthorizeAsync(oversized).ResponseAsync);

        Assert.True(ex.StatusCode == StatusCode.ResourceExhausted, ex.Status.ToString());
        Assert.Equal(Decision.ImplicitDeny, (await fixture.Authorization.AuthorizeAsync(Check(t))).Decision);
    }

    [Fact]
    public async Task A_batch_over_the_maximum_is_invalid_argument_and_one_at_it_is_answered()
    {
        var t = await fixture.NewTenantAsync();
        var batch = new BatchAuthorizeRequest { Checks = { Enumerable.Range(0, 6).Select(_ => Check(t)) } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Authorization.BatchAuthorizeAsync(batch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violation = Assert.Single(ex.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("checks", violation.Field);
        Assert.Equal("a batch holds 1 to 5 checks, not 6", violation.Description);
        batch.Checks.RemoveAt(0);
        Assert.Equal(5, (await fixture.Authorization.BatchAuthorizeAsync(batch)).Results.Count);
    }

    [Fact]
    public async Task A_tenant_at_its_entity_limit_refuses_another_entity_of_any_kind_and_changes_nothing()
    {
        var t = await fixture.NewTenantAsync();
        await fixture.Admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" });
        await fixture.Admin.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "analysts" });
        await fixture.Admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "read", PolicyDocument = Allow });
        var revision = (await fixture.Admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision;

        var refusals = new Func<Task>[]
        {
            () => fixture.Admin.CreateRoleAsync(new CreateRoleRequest { TenantId = t, RoleName = "trainer", AssumeRolePolicyDocument = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}""" }).ResponseAsync,
            () => fixture.Admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "bob" }).ResponseAsync,
            () => fixture.Admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = t, ResourceArn = "arn:aws:s3:::data" }).ResponseAsync,
        };
        foreach (var refused in refusals)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(refused);
            Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
            Assert.Equal($"tenant `{t}` already holds 3 entities (users, groups, roles, managed policies and registered resources), its limit of 3", ex.Status.Detail);
            Assert.Equal($"arn:aws:iam::{t}:root", Assert.Single(ex.GetRpcStatus()!.GetDetail<QuotaFailure>().Violations).Subject);
        }

        Assert.Equal(revision, (await fixture.Admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision);
        Assert.Empty((await fixture.Admin.ListRolesAsync(new ListRolesRequest { TenantId = t })).Roles);
        Assert.Single((await fixture.Admin.ListUsersAsync(new ListUsersRequest { TenantId = t })).Users);
        Assert.Empty((await fixture.Admin.ListResourcesAsync(new ListResourcesRequest { TenantId = t })).Resources);

        // Changing what exists is not limited, and deleting an entity makes room.
        await fixture.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "read", PolicyDocument = Allow });
        await fixture.Admin.DeleteGroupAsync(new DeleteGroupRequest { TenantId = t, GroupName = "analysts" });
        await fixture.Admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "bob" });
    }
}
