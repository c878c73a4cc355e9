using Authz.Grains;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// A check is never an ALLOW when storage is unavailable or a grain call fails or times out (issue 4, item 5), and one
/// hot principal's checks do not each load its snapshot. Faults are injected into the real server for grains of the
/// test's own tenant, through <see cref="FaultHostFixture"/>.
/// </summary>
[Collection(FaultHostCollection.Name)]
public sealed class FailClosedFaultTests(FaultHostFixture fixture)
{
    private readonly Admin.AdminClient _admin = fixture.Admin;
    private readonly Authorization.AuthorizationClient _authz = fixture.Authorization;

    /// <summary>
    /// alice may do everything in her bucket, except what a Deny held by each other grain takes away: a managed policy
    /// (`m/`), a group (`g/`), the resource policy (`r/`) and a tenant guardrail (`t/`). With the state of one grain
    /// unreadable, the check that depends on it cannot be answered, and is never answered ALLOW.
    /// </summary>
    [Theory]
    [InlineData("user")]
    [InlineData("managed-policy")]
    [InlineData("group")]
    [InlineData("resource")]
    [InlineData("tenant")]
    public async Task A_check_whose_state_cannot_be_read_from_storage_is_unavailable_never_allow(string unreadable)
    {
        var t = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::fail-closed-{t}";
        var alice = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" })).User.Arn;
        await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "all", PolicyDocument = Rpc.Allow("s3:*") });
        var managed = await _admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t, PolicyName = "deny-m", PolicyDocument = Deny("s3:DeleteObject", $"{bucket}/m/*") });
        await _admin.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = managed.Policy.Arn });
        await _admin.CreateGroupAsync(new CreateGroupRequest { TenantId = t, GroupName = "g" });
        await _admin.PutGroupPolicyAsync(new PutGroupPolicyRequest { TenantId = t, GroupName = "g", PolicyName = "deny-g", PolicyDocument = Deny("s3:DeleteObject", $"{bucket}/g/*") });
        await _admin.AddUserToGroupAsync(new AddUserToGroupRequest { TenantId = t, GroupName = "g", UserName = "alice" });
        await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = t, ResourceArn = bucket, PolicyDocument = ResourceDeny(alice, "s3:DeleteObject", $"{bucket}/r/*") });
        var last = (await _admin.PutTenantGuardrailAsync(new PutTenantGuardrailRequest
        {
            TenantId = t,
            Name = "guard",
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"{{bucket}}/t/*"}]}""",
        })).Revision;

        var (target, prefix) = unreadable switch
        {
            "user" => ((IAddressable)fixture.Grains.GetUser(t, "alice"), "u"),
            "managed-policy" => (fixture.Grains.GetManagedPolicy(t, "deny-m"), "m"),
            "group" => (fixture.Grains.GetGroup(t, "g"), "g"),
            "resource" => (fixture.Grains.GetResource(bucket), "r"),
            _ => (fixture.Grains.GetTenant(t), "t"),
        };
        var check = new AuthorizeRequest { Principal = alice, Action = prefix == "u" ? "s3:GetObject" : "s3:DeleteObject", Resource = $"{bucket}/{prefix}/x", MinRevision = last };
        await fixture.DeactivateAsync(fixture.Grains.GetUser(t, "alice"), fixture.Grains.GetManagedPolicy(t, "deny-m"), fixture.Grains.GetGroup(t, "g"),
            fixture.Grains.GetResource(bucket), fixture.Grains.GetTenant(t));

        using (fixture.Storage.FailReads(target))
        {
            await NeverAllowAsync(() => _authz.AuthorizeAsync(check).ResponseAsync, StatusCode.Unavailable);
            Assert.True(fixture.Storage.FailedReads(target) > 0, "the check did not need the unreadable grain; the test proves nothing");
        }

        // Storage is back: the same check is answered, with the Deny that could not be read.
        var answer = await _authz.AuthorizeAsync(check);
        Assert.Equal(prefix == "u" ? Decision.Allow : Decision.ExplicitDeny, answer.Decision);
    }

    [Fact]
    public async Task A_principal_snapshot_call_that_throws_is_unavailable_never_allow()
    {
        var (t, check) = await AllowedCheckAsync();
        var user = fixture.Grains.GetUser(t, "alice");
        using (fixture.Calls.Inject(user, nameof(IPrincipalGrain.GetSnapshot), () => throw new InvalidOperationException("injected grain failure")))
        {
            await NeverAllowAsync(() => _authz.AuthorizeAsync(check).ResponseAsync, StatusCode.Unavailable);
            var batch = new BatchAuthorizeRequest { Checks = { new AuthorizeRequest(check) { Principal = "arn:aws:iam::" + t + ":user/nobody" }, check } };
            // One check of a batch that cannot be evaluated fails the batch: no partial answers that could be misread.
            await NeverAllowAsync(async () => (await _authz.BatchAuthorizeAsync(batch)).Results[1], StatusCode.Unavailable);
        }

        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(check)).Decision);
    }

    [Fact]
    public async Task A_grain_call_that_times_out_is_deadline_exceeded_never_allow()
    {
        var (t, check) = await AllowedCheckAsync();
        var user = fixture.Grains.GetUser(t, "alice");
        // What an Orleans call past its response timeout throws at the caller.
        using (fixture.Calls.Inject(user, nameof(IPrincipalGrain.GetSnapshot), () => Task.FromException(new TimeoutException("injected response timeout"))))
        {
            await NeverAllowAsync(() => _authz.AuthorizeAsync(check).ResponseAsync, StatusCode.DeadlineExceeded);
        }

        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(check)).Decision);
    }

    [Fact]
    public async Task A_snapshot_load_held_past_the_calls_deadline_is_deadline_exceeded_never_allow()
    {
        var (t, check) = await AllowedCheckAsync();
        var user = fixture.Grains.GetUser(t, "alice");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            using (fixture.Calls.Inject(user, nameof(IPrincipalGrain.GetSnapshot), () => gate.Task))
            {
                // The deadline is the call's, not a wait of the test's: the load is held until the gate opens.
                await NeverAllowAsync(() => _authz.AuthorizeAsync(check, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync, StatusCode.DeadlineExceeded);
            }
        }
        finally
        {
            gate.TrySetResult();
        }

        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(check)).Decision);
    }

    [Fact]
    public async Task A_resource_lookup_that_fails_is_unavailable_never_allow()
    {
        var (t, check) = await AllowedCheckAsync();
        var tree = fixture.Grains.GetResourceTree(check.Resource);
        using (fixture.Calls.Inject(tree, nameof(IResourceTreeGrain.GetView), () => throw new InvalidOperationException("injected grain failure")))
        {
            await NeverAllowAsync(() => _authz.AuthorizeAsync(check).ResponseAsync, StatusCode.Unavailable);
        }

        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(check)).Decision);
    }

    /// <summary>
    /// Sixteen concurrent checks of one principal all succeed, and the principal grain is asked for its snapshot once:
    /// the checks share one load (held until all sixteen have joined it) and then evaluate from the silo's cache, not
    /// one grain call each. Later checks do not call the grain at all.
    /// </summary>
    [Fact]
    public async Task Sixteen_concurrent_checks_of_one_hot_principal_load_its_snapshot_once()
    {
        const int concurrency = 16;
        var (t, check) = await AllowedCheckAsync();
        IPrincipalGrain user = fixture.Grains.GetUser(t, "alice");
        Assert.Equal(0, fixture.Calls.Calls(user, nameof(IPrincipalGrain.GetSnapshot)));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AuthorizeResponse[] answers;
        try
        {
            using (fixture.Calls.Inject(user, nameof(IPrincipalGrain.GetSnapshot), () => gate.Task))
            {
                var arrived = fixture.Arrivals.Expect(c => c.Principal == check.Principal, concurrency);
                var checks = Enumerable.Range(0, concurrency).Select(_ => _authz.AuthorizeAsync(check).ResponseAsync).ToArray();
                // A guard, not a timing: every check must reach the cache.
                await arrived.WaitAsync(TimeSpan.FromSeconds(30));
                gate.SetResult();
                answers = await Task.WhenAll(checks);
            }
        }
        finally
        {
            gate.TrySetResult();
        }

        Assert.All(answers, a => Assert.Equal(Decision.Allow, a.Decision));
        Assert.Equal(1, fixture.Calls.Calls(user, nameof(IPrincipalGrain.GetSnapshot)));

        for (var round = 0; round < 10; round++)
        {
            var more = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => _authz.AuthorizeAsync(check).ResponseAsync));
            Assert.All(more, a => Assert.Equal(Decision.Allow, a.Decision));
        }

        Assert.Equal(1, fixture.Calls.Calls(user, nameof(IPrincipalGrain.GetSnapshot)));
        Assert.Equal(1, (await user.DescribeCompiledSet(check.MinRevision)).Builds);
    }

    /// <summary>
    /// A resource policy acknowledged with revision R must be seen by every check that carries R. Here the policy is
    /// written while a check is loading the resource: after the load has read the resource tree, before it finishes.
    /// </summary>
    [Fact]
    public async Task A_resource_policy_written_while_a_check_loads_the_resource_is_seen_by_checks_that_carry_its_revision()
    {
        var (t, check) = await AllowedCheckAsync();
        var bucket = check.Resource[..check.Resource.IndexOf('/', StringComparison.Ordinal)];
        // The principal is cached, so the next check only loads the resource.
        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(new AuthorizeRequest(check) { Resource = "*" })).Decision);

        var written = await WriteWhileLoadingAsync(bucket, check, () => _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = t,
            ResourceArn = bucket,
            PolicyDocument = ResourceDeny($"arn:aws:iam::{t}:user/alice", "s3:GetObject", bucket + "/*"),
        }).ResponseAsync);

        var after = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { MinRevision = written });
        Assert.True(after.Revision >= written);
        Assert.Equal(Decision.ExplicitDeny, after.Decision);
    }

    /// <summary>
    /// A bucket moves from tenant b (whose policy let alice read) to alice's tenant a (whose policy denies her). A check
    /// that carries a's revision of the move must see a's policy, even before the silo is told of b's revisions.
    /// </summary>
    [Fact]
    public async Task A_resource_that_moves_into_the_callers_tenant_is_seen_by_checks_that_carry_the_move()
    {
        var (a, check) = await AllowedCheckAsync();
        var b = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::moving-{a}";
        var moved = new AuthorizeRequest(check) { Resource = bucket + "/x.csv" };
        await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = b, ResourceArn = bucket, PolicyDocument = ResourceAllow(check.Principal, "s3:GetObject", bucket + "/*") });
        Assert.Equal(Decision.Allow, (await _authz.AuthorizeAsync(moved)).Decision);

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // The silo is not told of new revisions meanwhile: only min_revision can make the next check fresh.
            using (fixture.Calls.Inject(fixture.Grains.GetGrain<IRevisionHubGrain>(0), nameof(IRevisionHubGrain.PublishAt), () => gate.Task))
            {
                await _admin.DeregisterResourceAsync(new DeregisterResourceRequest { TenantId = b, ResourceArn = bucket });
                var written = (await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
                {
                    TenantId = a,
                    ResourceArn = bucket,
                    PolicyDocument = ResourceDeny(check.Principal, "s3:GetObject", bucket + "/*"),
                })).Revision;

                var after = await _authz.AuthorizeAsync(new AuthorizeRequest(moved) { MinRevision = written });
                Assert.True(after.Revision >= written);
                Assert.Equal(Decision.ExplicitDeny, after.Decision);
            }
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    /// <summary>
    /// Tenant b's bucket policy lets alice of tenant a read it, and b registered `data` in it. While a check loads
    /// `data/x.csv` (after its tree read), b puts a Deny on `data`, which then governs as the nearest policy. Once the
    /// silo knows b's revision of that write, checks see the Deny: the load must not stamp its entry with a revision of b
    /// that it read after a tree that has since moved.
    /// </summary>
    [Fact]
    public async Task A_foreign_owners_policy_written_while_a_check_loads_the_resource_is_seen_once_the_silo_knows_its_revision()
    {
        var (_, check) = await AllowedCheckAsync();
        var b = await fixture.NewTenantAsync();
        var bucket = $"arn:aws:s3:::foreign-{b}";
        await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = b, ResourceArn = bucket, PolicyDocument = ResourceAllow(check.Principal, "s3:GetObject", bucket + "/*") });
        await _admin.RegisterResourceAsync(new RegisterResourceRequest { TenantId = b, ResourceArn = bucket + "/data" });
        var foreign = new AuthorizeRequest(check) { Resource = bucket + "/data/x.csv" };

        var written = await WriteWhileLoadingAsync(bucket, foreign, () => _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = b,
            ResourceArn = bucket + "/data",
            PolicyDocument = ResourceDeny(check.Principal, "s3:GetObject", bucket + "/data/*"),
        }).ResponseAsync);

        // What the revision hub's notification does, whenever it arrives.
        fixture.Cache.NoteRevision(b, written);
        var after = await _authz.AuthorizeAsync(foreign);
        Assert.Equal(Decision.ExplicitDeny, after.Decision);
    }

    /// <summary>
    /// Makes <paramref name="check"/> while holding its first read of <paramref name="bucket"/>'s resource tree once that
    /// read has returned (the decision cache's), makes <paramref name="write"/> meanwhile, then lets the check finish.
    /// The check was asked before the write was acknowledged, so either answer is consistent. Returns the write's revision.
    /// </summary>
    private async Task<ulong> WriteWhileLoadingAsync(string bucket, AuthorizeRequest check, Func<Task<PutResourcePolicyResponse>> write)
    {
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            using (fixture.Calls.InjectAfterReturn(fixture.Grains.GetResourceTree(bucket), nameof(IResourceTreeGrain.GetView),
                () => loading.TrySetResult() ? gate.Task : Task.CompletedTask))
            {
                var during = _authz.AuthorizeAsync(check).ResponseAsync;
                // A guard, not a timing: the check must reach the tree at all.
                await loading.Task.WaitAsync(TimeSpan.FromSeconds(30));
                var written = (await write()).Revision;
                gate.SetResult();
                await during;
                return written;
            }
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    /// <summary>
    /// Checks of many objects under one registered bucket are resolved through the bucket's resource tree: the tree and
    /// the bucket are read once for all of them, with the bucket's policy governing each, and once more for all of them
    /// after a write of the tenant, not once per object ARN.
    /// </summary>
    [Fact]
    public async Task Objects_under_one_bucket_share_one_read_of_its_tree_and_policy_until_the_tenant_writes()
    {
        var (t, check) = await AllowedCheckAsync();
        var bucket = $"arn:aws:s3:::tree-{t}";
        var last = (await _admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = t, ResourceArn = bucket, PolicyDocument = ResourceDeny(check.Principal, "s3:GetObject", bucket + "/secret/*"),
        })).Revision;
        var tree = fixture.Grains.GetResourceTree(bucket);
        var resource = fixture.Grains.GetResource(bucket);

        async Task CheckObjectsAsync(ulong minRevision)
        {
            for (var i = 0; i < 20; i++)
            {
                foreach (var (folder, expected) in new[] { ("data", Decision.Allow), ("secret", Decision.ExplicitDeny) })
                {
                    var answer = await _authz.AuthorizeAsync(new AuthorizeRequest(check) { Resource = $"{bucket}/{folder}/part-{i}.csv", MinRevision = minRevision });
                    Assert.Equal(expected, answer.Decision);
                }
            }
        }

        await CheckObjectsAsync(last);
        Assert.Equal(1, fixture.Calls.Calls(tree, nameof(IResourceTreeGrain.GetView)));
        Assert.Equal(1, fixture.Calls.Calls(resource, nameof(IResourceGrain.GetSnapshot)));

        var written = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "bob" })).Revision;
        await CheckObjectsAsync(written);
        Assert.Equal(2, fixture.Calls.Calls(tree, nameof(IResourceTreeGrain.GetView)));
        Assert.Equal(2, fixture.Calls.Calls(resource, nameof(IResourceGrain.GetSnapshot)));
    }

    /// <summary>A tenant with alice allowed to read one bucket; returns the tenant and that check at the last revision.</summary>
    private async Task<(string Tenant, AuthorizeRequest Check)> AllowedCheckAsync()
    {
        var t = await fixture.NewTenantAsync();
        var alice = (await _admin.CreateUserAsync(new CreateUserRequest { TenantId = t, UserName = "alice" })).User.Arn;
        var last = (await _admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = t, UserName = "alice", PolicyName = "read", PolicyDocument = Rpc.Allow("s3:GetObject") })).Revision;
        return (t, new AuthorizeRequest { Principal = alice, Action = "s3:GetObject", Resource = $"arn:aws:s3:::fault-{t}/x.csv", MinRevision = last });
    }

    /// <summary>Asserts the call fails with <paramref name="expected"/>, or answers with a deny; never ALLOW.</summary>
    private static async Task NeverAllowAsync(Func<Task<AuthorizeResponse>> call, StatusCode expected)
    {
        try
        {
            var answer = await call();
            Assert.Equal(Decision.ImplicitDeny, answer.Decision);
        }
        catch (RpcException ex)
        {
            Assert.Equal(expected, ex.StatusCode);
        }
    }

    private static string Deny(string action, string resource) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"{{action}}","Resource":"{{resource}}"}]}""";

    private static string ResourceAllow(string principal, string action, string resource) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"{{action}}","Resource":"{{resource}}"}]}""";

    private static string ResourceDeny(string principal, string action, string resource) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"{{principal}}"},"Action":"{{action}}","Resource":"{{resource}}"}]}""";
}
