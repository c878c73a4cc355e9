using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Limits;

/// <summary>Deadlines over real gRPC: a call that is out of time does nothing, answers no decision, and the server goes on.</summary>
public sealed class DeadlineTests(AdminApiFixture fixture) : IClassFixture<AdminApiFixture>
{
    // One microsecond: gone before the server has parsed the request.
    private const string Expired = "1u";

    private const string AllowRead = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}""";

    private Authorization.AuthorizationClient Authorization => new(fixture.Host.CreateChannel());

    private async Task<AuthorizeRequest> AllowedCheckAsync()
    {
        var t = await fixture.NewTenantAsync();
        await fixture.Admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" });
        await fixture.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "read", PolicyDocument = AllowRead });
        return new AuthorizeRequest { Principal = $"arn:aws:iam::{t}:user/alice", Action = "s3:GetObject", Resource = "arn:aws:s3:::data/x" };
    }

    [Fact]
    public async Task An_authorize_whose_deadline_has_passed_answers_deadline_exceeded_and_the_server_keeps_serving()
    {
        var check = await AllowedCheckAsync();

        var status = await RawGrpc.CallAsync(fixture.Host.GrpcAddress, "/authz.v1.Authorization/Authorize", check, Expired);

        Assert.True(status.StatusCode == StatusCode.DeadlineExceeded, status.ToString());
        Assert.Equal(Decision.Allow, (await Authorization.AuthorizeAsync(check)).Decision);
        Assert.Equal(Decision.Allow, (await Authorization.AuthorizeAsync(check, deadline: DateTime.UtcNow.AddMinutes(1))).Decision);
    }

    [Fact]
    public async Task A_batch_whose_deadline_has_passed_answers_no_decision()
    {
        var check = await AllowedCheckAsync();

        var status = await RawGrpc.CallAsync(fixture.Host.GrpcAddress, "/authz.v1.Authorization/BatchAuthorize",
            new BatchAuthorizeRequest { Checks = { check, check } }, Expired);

        Assert.True(status.StatusCode == StatusCode.DeadlineExceeded, status.ToString());
    }

    [Fact]
    public async Task An_admin_write_whose_deadline_has_passed_changes_nothing_and_the_server_keeps_serving()
    {
        var t = await fixture.NewTenantAsync();
        var revision = (await fixture.Admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision;

        var status = await RawGrpc.CallAsync(fixture.Host.GrpcAddress, "/authz.v1.Admin/CreateUser", new CreateUserRequest { TenantId = t, UserName = "late" }, Expired);

        Assert.True(status.StatusCode == StatusCode.DeadlineExceeded, status.ToString());
        var missing = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "late" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(revision, (await fixture.Admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision);

        // The same write with time to spare commits, through every grain it touches.
        var created = await fixture.Admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "late" }, deadline: DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(revision + 1, created.Revision);
    }
}
