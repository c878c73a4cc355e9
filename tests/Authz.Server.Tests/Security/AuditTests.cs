using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Security;

/// <summary>Admin changes leave audit events, written with the change, readable page by page, without secrets.</summary>
[Collection(AdminApiCollection.Name)]
public sealed class AuditTests(AdminApiFixture api)
{
    [Fact]
    public async Task Each_change_records_who_what_when_the_request_id_and_the_revisions()
    {
        var tenant = await api.NewTenantAsync();
        using var admin = await KeyedUser.CreateAsync(api, tenant, "admin", Rpc.Allow("*"));
        var before = await api.RevisionAsync(tenant);
        var headers = new Metadata { { "x-request-id", "req-create-bob" } };
        var created = await admin.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "bob", Path = "/eng/" }, headers);
        var key = await admin.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "bob" });

        var events = (await api.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenant })).Events;
        var create = Assert.Single(events, e => e.Rpc == "CreateUser" && e.TargetArn.EndsWith("/bob", StringComparison.Ordinal));
        Assert.Equal(admin.Arn, create.CallerArn);
        Assert.Equal(admin.Key.Split('.')[0], create.AccessKeyId);
        Assert.Equal($"arn:aws:iam::{tenant}:user/eng/bob", create.TargetArn);
        Assert.Equal("req-create-bob", create.RequestId);
        Assert.Equal(before, create.RevisionBefore);
        Assert.Equal(created.Revision, create.RevisionAfter);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - create.EventTime.ToDateTimeOffset()).TotalMinutes) < 5);

        // The setup made by the bootstrap administrator is there too, in commit order.
        Assert.Contains(events, e => e.Rpc == "CreateTenant" && e.CallerArn == "arn:aws:iam::000000000000:root" && e.RevisionAfter == 1);
        Assert.Equal(events.OrderBy(e => e.EventId).Select(e => e.EventId), events.Select(e => e.EventId));

        var keyEvent = Assert.Single(events, e => e.Rpc == "CreateAccessKey" && e.TargetArn.EndsWith(":user/bob", StringComparison.Ordinal));
        Assert.DoesNotContain(key.AccessKey.SecretAccessKey, events.ToString(), StringComparison.Ordinal);
        Assert.Equal(0UL, keyEvent.RevisionAfter);
    }

    [Fact]
    public async Task A_refused_or_failed_call_records_nothing()
    {
        var tenant = await api.NewTenantAsync();
        using var reader = await KeyedUser.CreateAsync(api, tenant, "reader", Rpc.Allow("iam:Get*"));
        var count = (await api.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenant })).Events.Count;
        await Rpc.Fails(StatusCode.PermissionDenied, () => reader.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "x" }).ResponseAsync);
        await Rpc.Fails(StatusCode.AlreadyExists, () => api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "reader" }).ResponseAsync);
        await Rpc.Fails(StatusCode.InvalidArgument, () => api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = tenant, UserName = "reader", PolicyName = "bad", PolicyDocument = Rpc.Malformed,
        }).ResponseAsync);
        Assert.Equal(count, (await api.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenant })).Events.Count);
    }

    [Fact]
    public async Task Events_page_and_belong_to_their_tenant_only()
    {
        var tenant = await api.NewTenantAsync();
        var other = await api.NewTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            await api.Admin.CreateGroupAsync(new CreateGroupRequest { TenantId = tenant, GroupName = $"g{i}" });
        }

        var seen = new List<AuditEvent>();
        var token = "";
        do
        {
            var page = await api.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenant, MaxItems = 2, PageToken = token });
            Assert.True(page.Events.Count <= 2);
            seen.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(6, seen.Count); // CreateTenant and five CreateGroup
        Assert.Equal(seen.Count, seen.Select(e => e.EventId).Distinct().Count());
        Assert.All(seen, e => Assert.Equal(tenant, e.TenantId));
        Assert.DoesNotContain((await api.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = other })).Events, e => e.Rpc == "CreateGroup");
    }
}
