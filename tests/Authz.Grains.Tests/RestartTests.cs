namespace Authz.Grains.Tests;

/// <summary>Acknowledged writes survive stopping the cluster and starting a new one over the same database.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly GrainCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Every_acknowledged_write_is_read_back_after_a_restart()
    {
        var t = GrainCluster.NewTenantId();
        var grains = _cluster.Grains;
        await grains.GetTenantLifecycle(t).Create("durable");
        var arn = (await grains.GetManagedPolicy(t, "p").Create(new CreatePolicyCommand { PolicyName = "p", Document = Documents.Allow("s3:GetObject") })).Policy.Arn;
        await grains.GetManagedPolicy(arn).CreateVersion(arn, Documents.Allow("s3:PutObject"), setAsDefault: true);
        var user = (await grains.GetUser(t, "lee").Create(new CreateUserCommand { UserName = "lee", Tags = [new TagEntry { Key = "k", Value = "v" }] })).User;
        await grains.GetGroup(t, "g").Create("g", "/");
        await grains.GetUser(t, "lee").AddToGroup("g");
        await grains.GetGroup(t, "g").AttachPolicy(arn);
        await grains.GetResource("arn:aws:s3:::restart-" + t).Register(t, []);
        var revision = await grains.GetTenant(t).PutGuardrail("g1", Documents.Allow("s3:*"));

        await _cluster.RestartAsync();
        grains = _cluster.Grains;

        Assert.Equal(revision, await grains.GetTenant(t).GetRevision());
        var readBack = await grains.GetUser(t, "lee").Get();
        Assert.Equal(user with { Tags = [] }, readBack with { Tags = [] });
        Assert.Equal(user.Tags.ToArray(), readBack.Tags.ToArray());
        Assert.Equal(["g"], (await grains.GetUser(t, "lee").ListGroups()).ToArray());
        Assert.Equal(["lee"], (await grains.GetGroup(t, "g").ListMembers()).ToArray());
        Assert.Equal("v2", (await grains.GetManagedPolicy(arn).Get(arn)).DefaultVersionId);
        Assert.Equal(1, (await grains.GetManagedPolicy(arn).Get(arn)).AttachmentCount);
        Assert.Equal(t, (await grains.GetResource("arn:aws:s3:::restart-" + t).Get(t)).TenantId);
        var set = await grains.GetUser(t, "lee").DescribeCompiledSet(revision);
        Assert.Equal(revision, set.Revision);
        Assert.Equal([$"{arn}@v2"], set.Identity.ToArray());
        Assert.Equal(["g1"], set.GuardrailLevels.ToArray());
        Assert.Equal(revision + 1, await grains.GetUser(t, "lee").Untag(["k"]));
    }
}
