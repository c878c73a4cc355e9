using Orleans.Runtime;

namespace Authz.Grains.Tests;

/// <summary>A caller's deadline travels with its grain call; a grain that gets the call too late does none of it.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class GrainDeadlineTests(GrainCluster fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task A_write_that_arrives_after_its_deadline_is_refused_and_changes_nothing()
    {
        var t = GrainCluster.NewTenantId();
        await _grains.GetTenantLifecycle(t).Create("deadline tenant");
        var revision = await _grains.GetTenant(t).GetRevision();

        var error = await WithDeadline(DateTime.UtcNow.AddSeconds(-1), () =>
            AdminAssert.Fails(AdminErrorCode.DeadlineExceeded, () => _grains.GetUser(t, "late").Create(new CreateUserCommand { UserName = "late" })));

        Assert.Contains("nothing was changed", error.Message, StringComparison.Ordinal);
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetUser(t, "late").Get());
        Assert.Equal(revision, await _grains.GetTenant(t).GetRevision());
        Assert.Empty((await _grains.GetTenant(t).ListDirectory(EntityKind.User, "", null, 10)).Entries);
    }

    [Fact]
    public async Task A_write_within_its_deadline_commits_with_every_grain_it_calls()
    {
        var t = GrainCluster.NewTenantId();
        await _grains.GetTenantLifecycle(t).Create("deadline tenant");

        // The user grain calls the tenant grain twice (reserve, revision); neither sees the deadline.
        var created = await WithDeadline(DateTime.UtcNow.AddMinutes(1), () => _grains.GetUser(t, "timely").Create(new CreateUserCommand { UserName = "timely" }));

        Assert.Equal(created.Revision, await _grains.GetTenant(t).GetRevision());
        Assert.Equal("timely", (await _grains.GetUser(t, "timely").Get()).UserName);
    }

    private static async Task<T> WithDeadline<T>(DateTime deadline, Func<Task<T>> call)
    {
        GrainDeadline.Set(deadline);
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(GrainDeadline.Key);
        }
    }
}
