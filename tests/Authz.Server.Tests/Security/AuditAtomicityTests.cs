using Authz.Grains;
using Authz.Server.Tests.Decisions;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Security;

/// <summary>
/// An admin change and its audit record cannot diverge. The change is one grain's state write and the revision bump is
/// the tenant grain's, a second write; the record is written with the change. A failure between the two writes leaves
/// the change with its record (revisions 0, as the bump never happened); a change whose write fails leaves no record.
/// </summary>
[Collection(FaultHostCollection.Name)]
public sealed class AuditAtomicityTests(FaultHostFixture fixture)
{
    private readonly Admin.AdminClient _admin = fixture.Admin;

    public static TheoryData<string> Changes => ["PutUserPolicy", "DetachUserPolicy", "PutUserPermissionsBoundary", "CreatePolicy", "PutResourcePolicy"];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_change_whose_revision_bump_fails_keeps_its_audit_record(string rpc)
    {
        var (t, change, applied) = await ArrangeAsync(rpc);
        var before = (await _admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision;
        var requestId = "req-" + rpc;

        using (fixture.Calls.Inject(fixture.Grains.GetTenant(t), nameof(ITenantGrain.CommitRevision), () => throw new InvalidOperationException("injected crash between the writes")))
        {
            var failed = await Assert.ThrowsAsync<RpcException>(() => change(new Metadata { { "x-request-id", requestId } }));
            Assert.NotEqual(StatusCode.OK, failed.StatusCode);
        }

        Assert.True(await applied(), "the change itself committed before the revision bump failed");
        Assert.Equal(before, (await _admin.GetTenantAsync(new GetTenantRequest { TenantId = t })).Tenant.Revision);
        var record = Assert.Single(await EventsAsync(t), e => e.RequestId == requestId);
        Assert.Equal(rpc, record.Rpc);
        Assert.Equal("arn:aws:iam::000000000000:root", record.CallerArn);
        Assert.Equal((0UL, 0UL), (record.RevisionBefore, record.RevisionAfter));

        // The next change bumps the revision once, from where the failed one left it, and its record says so.
        var next = await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "next", PolicyDocument = Rpc.Allow("s3:PutObject") },
            new Metadata { { "x-request-id", "req-next" } });
        var after = Assert.Single(await EventsAsync(t), e => e.RequestId == "req-next");
        Assert.Equal((before, before + 1, before + 1), (after.RevisionBefore, after.RevisionAfter, next.Revision));
    }

    [Fact]
    public async Task A_change_whose_write_fails_is_not_made_and_leaves_no_audit_record()
    {
        var (t, change, applied) = await ArrangeAsync("PutUserPolicy");
        var count = (await EventsAsync(t)).Count;
        using (fixture.Storage.FailWrites(fixture.Grains.GetUser(t, "alice")))
        {
            await Assert.ThrowsAsync<RpcException>(() => change(new Metadata { { "x-request-id", "req-failed-write" } }));
        }

        Assert.False(await applied());
        Assert.Equal(count, (await EventsAsync(t)).Count);
    }

    /// <summary>A tenant where <paramref name="rpc"/> can be made; the change, and a probe that tells whether it is in effect.</summary>
    private async Task<(string Tenant, Func<Metadata, Task> Change, Func<Task<bool>> Applied)> ArrangeAsync(string rpc)
    {
        var t = await fixture.NewTenantAsync();
        await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" });
        var policy = (await _admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "base", PolicyDocument = Rpc.Allow("s3:GetObject") })).Policy.Arn;
        await _admin.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = policy });
        var bucket = $"arn:aws:s3:::audit-{t}";
        return rpc switch
        {
            "PutUserPolicy" => (t,
                h => _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "changed", PolicyDocument = Rpc.Allow("s3:*") }, h).ResponseAsync,
                async () => (await _admin.ListUserPoliciesAsync(new ListUserPoliciesRequest { TenantId = t, UserName = "alice" })).PolicyNames.Contains("changed")),
            "DetachUserPolicy" => (t,
                h => _admin.DetachUserPolicyAsync(new DetachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = policy }, h).ResponseAsync,
                async () => (await _admin.ListAttachedUserPoliciesAsync(new ListAttachedUserPoliciesRequest { TenantId = t, UserName = "alice" })).AttachedPolicies.Count == 0),
            "PutUserPermissionsBoundary" => (t,
                h => _admin.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { TenantId = t, UserName = "alice", PolicyArn = policy }, h).ResponseAsync,
                async () => (await _admin.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "alice" })).User.PermissionsBoundary?.PermissionsBoundaryArn == policy),
            "CreatePolicy" => (t,
                h => _admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "created", PolicyDocument = Rpc.Allow("s3:*") }, h).ResponseAsync,
                async () => (await _admin.ListPoliciesAsync(new ListPoliciesRequest { TenantId = t })).Policies.Any(p => p.PolicyName == "created")),
            _ => (t,
                h => _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = bucket, PolicyDocument = Rpc.BucketPolicy(t, bucket + "/*") }, h).ResponseAsync,
                async () =>
                {
                    try
                    {
                        return (await _admin.GetResourcePolicyAsync(new GetResourcePolicyRequest { TenantId = t, ResourceArn = bucket })).PolicyDocument.Length > 0;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                    {
                        return false;
                    }
                }),
        };
    }

    private async Task<List<AuditEvent>> EventsAsync(string tenant) =>
        [.. (await _admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenant, MaxItems = 1000 })).Events];
}
