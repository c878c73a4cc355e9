using System.Collections.Concurrent;
using Authz.Grains;
using Authz.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Orleans.Runtime;

namespace Authz.Server.Tests;

/// <summary>
/// Runs when <c>AUTHZ_TEST_POSTGRES</c> and <c>AUTHZ_TEST_REDIS</c> are set (<c>source scripts/ci-services.sh</c>);
/// reported as skipped otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUTHZ_TEST_POSTGRES"))
            || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUTHZ_TEST_REDIS")))
        {
            Skip = "AUTHZ_TEST_POSTGRES and AUTHZ_TEST_REDIS are not set (run `source scripts/ci-services.sh`)";
        }
    }
}

/// <summary>Cluster mode: PostgreSQL storage and Redis membership, one silo in this process and one in a child process.</summary>
public sealed class ClusterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Generous: a loaded 2-core machine runs these next to other builds.</summary>
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(60);

    [ClusterFact]
    public async Task A_killed_silo_is_declared_dead_and_the_survivor_keeps_serving()
    {
        await using var cluster = await TwoSiloCluster.StartAsync(output);

        cluster.KillChild();
        // Fails if the survivor never declares it dead (within the wait's 60 s guard); how fast is printed, not asserted.
        var elapsed = await cluster.WaitForChildDeclaredDeadAsync();
        output.WriteLine($"killed silo declared dead after {elapsed.TotalSeconds:F1} s");

        using var channel = cluster.Local.CreateChannel();
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [ClusterFact]
    public async Task A_write_through_one_silo_is_read_and_enforced_through_the_other_at_its_revision()
    {
        await using var cluster = await TwoSiloCluster.StartAsync(output);
        using var channelA = cluster.CreateChildChannel();
        using var channelB = cluster.Local.CreateChannel();
        var (adminA, checkA) = (new Admin.AdminClient(channelA), new Authorization.AuthorizationClient(channelA));
        var (adminB, checkB) = (new Admin.AdminClient(channelB), new Authorization.AuthorizationClient(channelB));
        var t = AdminApiFixture.NewTenantId();

        // Written through silo A.
        await adminA.CreateTenantAsync(new CreateTenantRequest { TenantId = t, Name = "shared state" }, deadline: Deadline);
        var policy = (await adminA.CreatePolicyAsync(new CreatePolicyRequest
        {
            TenantId = t, PolicyName = "read-data", PolicyDocument = Rpc.Allow("s3:GetObject", "arn:aws:s3:::shared-data/*"),
        }, deadline: Deadline)).Policy;
        var alice = (await adminA.CreateUserAsync(new CreateUserRequest
        {
            TenantId = t, UserName = "alice", Path = "/ml/", Tags = { new Tag { Key = "team", Value = "vision" } },
        }, deadline: Deadline)).User;
        var attached = (await adminA.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = policy.Arn }, deadline: Deadline)).Revision;

        // Read back through silo B.
        Assert.Equal(attached, (await adminB.GetTenantAsync(new GetTenantRequest { TenantId = t }, deadline: Deadline)).Tenant.Revision);
        Assert.Equal(alice, (await adminB.GetUserAsync(new GetUserRequest { TenantId = t, UserName = "alice" }, deadline: Deadline)).User);
        Assert.Equal([policy.Arn], (await adminB.ListAttachedUserPoliciesAsync(new ListAttachedUserPoliciesRequest { TenantId = t, UserName = "alice" }, deadline: Deadline))
            .AttachedPolicies.Select(p => p.PolicyArn));
        Assert.Equal(1U, (await adminB.GetPolicyAsync(new GetPolicyRequest { PolicyArn = policy.Arn }, deadline: Deadline)).Policy.AttachmentCount);

        // Enforced through silo B at the write's revision: allowed where the policy allows, and only there.
        var allowed = await checkB.AuthorizeAsync(Check(alice.Arn, "arn:aws:s3:::shared-data/train.csv", attached), deadline: Deadline);
        Assert.Equal(Decision.Allow, allowed.Decision);
        Assert.True(allowed.Revision >= attached, $"evaluated at {allowed.Revision}, before the write's revision {attached}");
        Assert.Equal(Decision.ImplicitDeny, (await checkB.AuthorizeAsync(Check(alice.Arn, "arn:aws:s3:::other-data/x", attached), deadline: Deadline)).Decision);

        // And the other way: silo A has alice cached as allowed; a detach through B is in force on A at its revision.
        Assert.Equal(Decision.Allow, (await checkA.AuthorizeAsync(Check(alice.Arn, "arn:aws:s3:::shared-data/train.csv", attached), deadline: Deadline)).Decision);
        var detached = (await adminB.DetachUserPolicyAsync(new DetachUserPolicyRequest { TenantId = t, UserName = "alice", PolicyArn = policy.Arn }, deadline: Deadline)).Revision;
        Assert.True(detached > attached);
        var denied = await checkA.AuthorizeAsync(Check(alice.Arn, "arn:aws:s3:::shared-data/train.csv", detached), deadline: Deadline);
        Assert.Equal(Decision.ImplicitDeny, denied.Decision);
        Assert.True(denied.Revision >= detached, $"evaluated at {denied.Revision}, before the detach's revision {detached}");
    }

    /// <summary>
    /// Writers stream CreateUser and PutUserPolicy calls (distinct users) through the child silo, which also hosts the
    /// tenant grain every write commits its revision through and the user grains of half the writers, and the child is
    /// hard-killed while writes are in flight.
    /// Through the survivor: every acknowledged write is there with its content, the revision never went back, every
    /// other write is all or nothing, the audit log holds every acknowledged change, and the same grains take new
    /// writes at higher revisions.
    /// </summary>
    [ClusterFact]
    public async Task A_silo_killed_mid_write_loses_no_acknowledged_write_and_leaves_nothing_half_written()
    {
        const int Writers = 6;
        const int AcknowledgedBeforeKill = 40;
        const int PinnedUsersPerWriter = 20;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = await TwoSiloCluster.StartAsync(output);
        var started = clock.Elapsed;
        using var victimChannel = cluster.CreateChildChannel();
        var victim = new Admin.AdminClient(victimChannel);
        var t = AdminApiFixture.NewTenantId();

        // Every write commits its revision through the tenant grain: it lives on the silo that will be killed. So do
        // the users of half the writers; the others' are wherever placement puts them (either silo).
        await cluster.ActivateOnChildAsync(cluster.Grains.GetTenant(t), tenant => tenant.GetBasis());
        await victim.CreateTenantAsync(new CreateTenantRequest { TenantId = t, Name = "kill test" }, deadline: Deadline);
        Assert.Equal(cluster.ChildSilo, await cluster.HostOfAsync(cluster.Grains.GetTenant(t)));
        await Task.WhenAll(
            from w in Enumerable.Range(0, Writers / 2)
            from i in Enumerable.Range(0, PinnedUsersPerWriter)
            select cluster.ActivateOnChildAsync(cluster.Grains.GetUser(t, UserName(2 * w, i)), user => user.GetSnapshot(0).AsTask()));

        var acknowledged = new ConcurrentBag<Write>();
        var failed = new ConcurrentBag<Write>();
        var inFlight = 0;
        var killIssued = 0;
        var enoughAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Runs one write; false when it was not acknowledged (its outcome is unknown), which ends the writer.
        async Task<bool> WriteAsync(string rpc, string user, Func<Task<(ulong Revision, string? UserId)>> call)
        {
            Interlocked.Increment(ref inFlight);
            try
            {
                var (revision, userId) = await call();
                acknowledged.Add(new Write(rpc, user, revision, userId));
                if (acknowledged.Count >= AcknowledgedBeforeKill)
                {
                    enoughAcknowledged.TrySetResult();
                }

                return true;
            }
            catch (RpcException ex)
            {
                failed.Add(new Write(rpc, user, 0, null) { Failure = ex, BeforeKill = Volatile.Read(ref killIssued) == 0 });
                enoughAcknowledged.TrySetException(new InvalidOperationException($"{rpc} of `{user}` failed before the kill: {ex.Status}"));
                return false;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        async Task WriterAsync(int writer)
        {
            // Bounded, so a kill that never comes cannot make the test run away.
            for (var i = 0; i < 500; i++)
            {
                var user = UserName(writer, i);
                if (!await WriteAsync("CreateUser", user, async () =>
                    {
                        var created = await victim.CreateUserAsync(CreateUser(t, user), deadline: Deadline);
                        return (created.Revision, created.User.UserId);
                    })
                    || !await WriteAsync("PutUserPolicy", user, async () =>
                        ((await victim.PutUserPolicyAsync(PutUserPolicy(t, user, "data"), deadline: Deadline)).Revision, null)))
                {
                    return;
                }
            }
        }

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriterAsync(w))).ToArray();
        await enoughAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(90));
        var usersOnVictim = await UsersHostedOnAsync(cluster, t);
        Volatile.Write(ref killIssued, 1);
        var inFlightAtKill = Volatile.Read(ref inFlight);
        cluster.KillChild();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(90));
        var declaredDead = await cluster.WaitForChildDeclaredDeadAsync();
        var killed = clock.Elapsed;

        Assert.True(inFlightAtKill > 0, "no write was in flight when the silo was killed");
        Assert.Empty(failed.Where(f => f.BeforeKill).Select(f => $"{f.Rpc} {f.UserName}: {f.Failure!.Status}"));
        Assert.Equal(Writers, failed.Count);
        var onVictim = acknowledged.Count(a => usersOnVictim.Contains(a.UserName));
        output.WriteLine($"tenant {t}: {acknowledged.Count} writes acknowledged, {failed.Count} cut off by the kill ({inFlightAtKill} in flight when it was issued); " +
            $"the tenant grain and, when the kill was issued, the user grains of {onVictim} acknowledged writes ({100.0 * onVictim / acknowledged.Count:F0}%) " +
            $"were on the killed silo; declared dead after {declaredDead.TotalSeconds:F1} s");

        using var survivorChannel = cluster.Local.CreateChannel();
        var admin = new Admin.AdminClient(survivorChannel);
        var check = new Authorization.AuthorizationClient(survivorChannel);

        // Every user a writer touched, the interrupted ones first. A read of a user grain queues behind a write still
        // running on it (its calls do not interleave), so an interrupted write whose grain lives on the survivor has
        // finished, one way or the other, before anything below is compared.
        var stored = new Dictionary<string, (User? User, string? Document)>();
        foreach (var user in failed.Concat(acknowledged).Select(w => w.UserName).Distinct())
        {
            stored[user] = await ReadUserAsync(admin, t, user);
        }

        var settled = clock.Elapsed;

        // The revision: one per acknowledged write, and none of them lost.
        var maxAcknowledged = acknowledged.Max(a => a.Revision);
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Revision).Distinct().Count());
        var tenantRevision = (await admin.GetTenantAsync(new GetTenantRequest { TenantId = t }, deadline: Deadline)).Tenant.Revision;
        Assert.True(tenantRevision >= maxAcknowledged, $"tenant revision {tenantRevision} is behind the acknowledged revision {maxAcknowledged}");

        // Acknowledged writes are there with their content; the others are all or nothing.
        var listed = await ListUserNamesAsync(admin, t);
        Assert.Subset(stored.Keys.ToHashSet(), listed);
        foreach (var (user, (state, document)) in stored)
        {
            var created = acknowledged.SingleOrDefault(a => a.UserName == user && a.Rpc == "CreateUser");
            var put = acknowledged.SingleOrDefault(a => a.UserName == user && a.Rpc == "PutUserPolicy");
            if (created is not null)
            {
                Assert.True(state is not null, $"acknowledged CreateUser of `{user}` at revision {created.Revision} is lost");
                Assert.Equal(created.UserId, state.UserId);
            }

            if (put is not null)
            {
                Assert.True(document is not null, $"acknowledged PutUserPolicy of `{user}` at revision {put.Revision} is lost");
            }

            if (state is not null)
            {
                AssertUserContent(t, user, state);
            }

            Assert.True(state is not null || document is null, $"`{user}` does not exist but has an inline policy");
            Assert.True(document is null || document == Document(user), $"the inline policy of `{user}` is half-written: {document}");
            Assert.Equal(state is not null, listed.Contains(user));

            // The decision path on the survivor agrees with what is stored, at the highest acknowledged revision.
            var decision = await check.AuthorizeAsync(Check(UserArn(t, user), $"arn:aws:s3:::kill-test/{user}/object", maxAcknowledged), deadline: Deadline);
            Assert.Equal(document is not null ? Decision.Allow : Decision.ImplicitDeny, decision.Decision);
        }

        // The audit log commits with each change: every change in effect has its record and no record lacks its change.
        // CreateUser audits the user's ARN with its path; PutUserPolicy the ARN the request names, without one.
        var events = await ListAuditEventsAsync(admin, t);
        bool Audited(string rpc, string user, Func<AuditEvent, bool> also) =>
            events.Any(e => e.Rpc == rpc && e.TargetArn.EndsWith("/" + user, StringComparison.Ordinal) && also(e));
        foreach (var (user, (state, document)) in stored)
        {
            Assert.True(Audited("CreateUser", user, _ => true) == state is not null,
                $"`{user}` {(state is null ? "does not exist but has" : "exists without")} a CreateUser audit record");
            Assert.True(Audited("PutUserPolicy", user, _ => true) == document is not null,
                $"`{user}` {(document is null ? "has no inline policy but has" : "has its inline policy without")} a PutUserPolicy audit record");
        }

        // Each acknowledged write's record carries its revision; completed records (an interrupted change whose revision
        // bump never ran keeps revisions 0) form an unbroken chain up to the tenant's revision.
        Assert.All(acknowledged, write => Assert.True(Audited(write.Rpc, write.UserName, e => e.RevisionAfter == write.Revision),
            $"no audit event of the acknowledged {write.Rpc} of `{write.UserName}` at revision {write.Revision}"));
        var chain = events.Where(e => e.RevisionAfter > 0).OrderBy(e => e.RevisionAfter).ToList();
        Assert.All(chain.Zip(chain.Skip(1)), pair => Assert.Equal(pair.First.RevisionAfter, pair.Second.RevisionBefore));
        Assert.Equal(tenantRevision, chain[^1].RevisionAfter);
        output.WriteLine($"{events.Count - chain.Count} audit records of interrupted changes kept revisions 0");

        // The grains the kill interrupted take writes again, at revisions above every acknowledged one.
        var previous = tenantRevision;
        foreach (var cut in failed)
        {
            if (stored[cut.UserName].User is null)
            {
                var created = await admin.CreateUserAsync(CreateUser(t, cut.UserName), deadline: Deadline);
                AssertUserContent(t, cut.UserName, created.User);
                previous = AssertAdvances(previous, created.Revision);
            }

            previous = AssertAdvances(previous, (await admin.PutUserPolicyAsync(PutUserPolicy(t, cut.UserName, "data"), deadline: Deadline)).Revision);
            previous = AssertAdvances(previous, (await admin.PutUserPolicyAsync(PutUserPolicy(t, cut.UserName, "after-kill"), deadline: Deadline)).Revision);
            Assert.Equal(Decision.Allow, (await check.AuthorizeAsync(Check(UserArn(t, cut.UserName), $"arn:aws:s3:::kill-test/{cut.UserName}/object", previous), deadline: Deadline)).Decision);
        }

        Assert.Equal(previous, (await admin.GetTenantAsync(new GetTenantRequest { TenantId = t }, deadline: Deadline)).Tenant.Revision);
        output.WriteLine($"cluster up at {started.TotalSeconds:F1} s, child dead at {killed.TotalSeconds:F1} s, reads settled at {settled.TotalSeconds:F1} s, done at {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>One write of the kill test; <see cref="Revision"/> and <see cref="UserId"/> are set when it was acknowledged.</summary>
    private sealed record Write(string Rpc, string UserName, ulong Revision, string? UserId)
    {
        public RpcException? Failure { get; init; }
        public bool BeforeKill { get; init; }
    }

    private static ulong AssertAdvances(ulong previous, ulong revision)
    {
        Assert.True(revision > previous, $"a write after the kill returned revision {revision}, not above {previous}");
        return revision;
    }

    private static string UserName(int writer, int i) => $"w{writer}-u{i:D3}";

    /// <summary>The names of <paramref name="tenantId"/>'s users whose grains are active on the child silo.</summary>
    private static async Task<HashSet<string>> UsersHostedOnAsync(TwoSiloCluster cluster, string tenantId)
    {
        var statistics = await cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: [cluster.ChildSilo]);
        var prefix = GrainKeys.Entity(tenantId, "");
        return statistics
            .Where(s => s.GrainId.Type.ToString() == "authz.user" && s.GrainId.Key.ToString()!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(s => s.GrainId.Key.ToString()![prefix.Length..])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static CreateUserRequest CreateUser(string tenantId, string user) => new()
    {
        TenantId = tenantId,
        UserName = user,
        Path = "/kill/",
        Tags = { new Tag { Key = "user", Value = user }, new Tag { Key = "writer", Value = user[..user.IndexOf('-', StringComparison.Ordinal)] } },
    };

    private static void AssertUserContent(string tenantId, string user, User stored)
    {
        Assert.Equal(user, stored.UserName);
        Assert.Equal(UserArn(tenantId, user), stored.Arn);
        Assert.StartsWith("AIDA", stored.UserId, StringComparison.Ordinal);
        Assert.Equal(CreateUser(tenantId, user).Tags, stored.Tags);
    }

    private static PutUserPolicyRequest PutUserPolicy(string tenantId, string user, string policyName) =>
        new() { TenantId = tenantId, UserName = user, PolicyName = policyName, PolicyDocument = Document(user) };

    private static string Document(string user) => Rpc.Allow("s3:GetObject", $"arn:aws:s3:::kill-test/{user}/*");

    private static string UserArn(string tenantId, string user) => $"arn:aws:iam::{tenantId}:user/kill/{user}";

    private static AuthorizeRequest Check(string principal, string resource, ulong minRevision) =>
        new() { Principal = principal, Action = "s3:GetObject", Resource = resource, MinRevision = minRevision };

    /// <summary>The user (null when it does not exist) and its inline policy `data` (null when it has none).</summary>
    private static async Task<(User? User, string? Document)> ReadUserAsync(Admin.AdminClient admin, string tenantId, string user)
    {
        var stored = await OrNotFound(async () => (await admin.GetUserAsync(new GetUserRequest { TenantId = tenantId, UserName = user }, deadline: Deadline)).User);
        var document = await OrNotFound(async () => (await admin.GetUserPolicyAsync(
            new GetUserPolicyRequest { TenantId = tenantId, UserName = user, PolicyName = "data" }, deadline: Deadline)).PolicyDocument);
        return (stored, document);
    }

    private static async Task<T?> OrNotFound<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<HashSet<string>> ListUserNamesAsync(Admin.AdminClient admin, string tenantId)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var page = "";
        do
        {
            var response = await admin.ListUsersAsync(new ListUsersRequest { TenantId = tenantId, PageToken = page }, deadline: Deadline);
            names.UnionWith(response.Users.Select(u => u.UserName));
            page = response.NextPageToken;
        }
        while (page.Length > 0);
        return names;
    }

    private static async Task<List<AuditEvent>> ListAuditEventsAsync(Admin.AdminClient admin, string tenantId)
    {
        var events = new List<AuditEvent>();
        var page = "";
        do
        {
            var response = await admin.ListAuditEventsAsync(new ListAuditEventsRequest { TenantId = tenantId, PageToken = page }, deadline: Deadline);
            events.AddRange(response.Events);
            page = response.NextPageToken;
        }
        while (page.Length > 0);
        return events;
    }
}
