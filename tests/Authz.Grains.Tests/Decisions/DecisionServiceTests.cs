using Authz.Grains.Decisions;
using RequestContext = Authz.Policy.Evaluation.RequestContext;

namespace Authz.Grains.Tests.Decisions;

/// <summary>What <see cref="DecisionService"/> hands the engine for a check: the parsed principal and the request context.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class DecisionServiceTests(ThreeSiloCluster cluster)
{
    private readonly DecisionService _decisions = cluster.Silos[0].Decisions;

    private Task<PreparedCheck> PrepareAsync(string principal, World world, KeyValuePair<string, string[]>[]? context = null, ulong? minRevision = null) =>
        _decisions.PrepareAsync(new CheckInput(null, principal, "s3:GetObject", world.Object, context, minRevision ?? world.Revision), CancellationToken.None).AsTask();

    /// <summary>
    /// A check of a principal text seen before reuses what the text was bound to, but never past a write: the text is
    /// known while its user exists under exactly that ARN (its path and the case of its name), and not after.
    /// </summary>
    [Fact]
    public async Task A_principal_text_is_known_only_while_its_principal_exists_under_exactly_that_arn()
    {
        var grains = cluster.Silos[0].Grains;
        var world = await World.CreateAsync(grains, WriteKind.InlinePolicy);
        var shouted = $"arn:aws:iam::{world.Tenant}:user/ALICE";
        var moved = $"arn:aws:iam::{world.Tenant}:user/team/alice";
        for (var i = 0; i < 2; i++)
        {
            Assert.Null((await PrepareAsync(world.Alice, world)).Reason);
            Assert.StartsWith("unknown principal", (await PrepareAsync(shouted, world)).Reason);
            Assert.StartsWith("unknown principal", (await PrepareAsync(moved, world)).Reason);
        }

        var user = grains.GetUser(world.Tenant, "alice");
        await user.DeleteInlinePolicy("read");
        var deleted = await user.Delete();
        Assert.StartsWith("unknown principal", (await PrepareAsync(world.Alice, world, minRevision: deleted)).Reason);

        var created = (await user.Create(new CreateUserCommand { UserName = "alice", Path = "/team/" })).Revision;
        for (var i = 0; i < 2; i++)
        {
            Assert.StartsWith("unknown principal", (await PrepareAsync(world.Alice, world, minRevision: created)).Reason);
            Assert.Null((await PrepareAsync(moved, world, minRevision: created)).Reason);
        }
    }

    [Fact]
    public async Task A_principal_is_parsed_once_and_a_malformed_one_is_rejected_every_time()
    {
        var world = await World.CreateAsync(cluster.Silos[0].Grains, WriteKind.InlinePolicy);

        // World.Alice builds a new string on each read: the parsed form is found by the text, not the instance.
        var first = (await PrepareAsync(world.Alice, world)).Request!.Principal;
        Assert.Same(first, (await PrepareAsync(world.Alice, world)).Request!.Principal);
        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<CheckInputException>(() => PrepareAsync($"arn:aws:iam::{world.Tenant}:group/g", world));
            Assert.Equal("principal", error.Field);
        }
    }

    /// <summary>
    /// The context answers the server's keys whatever the caller sent under their names, in any case, and the caller's
    /// own keys; a server key that alice does not hold stays absent.
    /// </summary>
    /// <remarks>A few caller keys share the check's own layer, many get a table of their own: both are covered.</remarks>
    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    public async Task The_context_holds_the_server_keys_over_the_callers_and_the_callers_own_keys(int extraCallerKeys)
    {
        var world = await World.CreateAsync(cluster.Silos[0].Grains, WriteKind.InlinePolicy);
        var forged = $"arn:aws:iam::{world.Tenant}:user/admin";
        KeyValuePair<string, string[]>[] caller =
        [
            new("aws:SourceIp", ["10.0.0.1"]),
            new("AWS:PRINCIPALARN", [forged]),
            new("aws:resourceaccount", ["999999999999"]),
            new("aws:EpochTime", ["0"]),
            new("aws:PrincipalTag/team", ["ml"]),
            .. Enumerable.Range(0, extraCallerKeys).Select(i => new KeyValuePair<string, string[]>($"app:key{i}", [$"v{i}"])),
        ];

        var context = (await PrepareAsync(world.Alice, world, caller)).Request!.Context;
        for (var i = 0; i < extraCallerKeys; i++)
        {
            Assert.Equal([$"v{i}"], Values(context, $"APP:KEY{i}"));
        }

        Assert.Equal([world.Alice], Values(context, "aws:principalarn"));
        Assert.Equal([world.Tenant], Values(context, "aws:ResourceAccount"));
        Assert.Equal(["User"], Values(context, "aws:PrincipalType"));
        Assert.NotEqual(["0"], Values(context, "aws:EpochTime"));
        Assert.Equal(["10.0.0.1"], Values(context, "aws:sourceip"));
        Assert.False(context.TryGetValues("aws:PrincipalTag/team", out _));
    }

    private static string[] Values(RequestContext context, string key) =>
        context.TryGetValues(key, out var values) ? values : throw new Xunit.Sdk.XunitException($"`{key}` is absent");
}
