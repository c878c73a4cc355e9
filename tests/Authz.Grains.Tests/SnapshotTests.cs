using System.Collections.Immutable;
using Authz.Policy.Evaluation;

namespace Authz.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class SnapshotTests(GrainCluster fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    private async Task<string> NewTenantAsync()
    {
        var tenantId = GrainCluster.NewTenantId();
        await _grains.GetTenantLifecycle(tenantId).Create("snapshots");
        return tenantId;
    }

    [Fact]
    public async Task A_managed_policy_version_change_reaches_a_user_through_its_group()
    {
        var t = await NewTenantAsync();
        var arn = (await _grains.GetManagedPolicy(t, "data").Create(new CreatePolicyCommand { PolicyName = "data", Document = Documents.Allow("s3:GetObject") })).Policy.Arn;
        await _grains.GetGroup(t, "scientists").Create("scientists", "/");
        await _grains.GetGroup(t, "scientists").AttachPolicy(arn);
        await _grains.GetUser(t, "ivy").Create(new CreateUserCommand { UserName = "ivy" });
        await _grains.GetUser(t, "ivy").PutInlinePolicy("own", Documents.Allow("sagemaker:CreateTrainingJob"));
        var joined = await _grains.GetUser(t, "ivy").AddToGroup("scientists");
        IPrincipalGrain user = _grains.GetUser(t, "ivy");

        var before = await user.DescribeCompiledSet(joined);
        Assert.Equal(joined, before.Revision);
        Assert.Equal(["own", $"{arn}@v1"], before.Identity.ToArray());
        var builds = before.Builds;

        // Unrelated writes move the revision without rebuilding: the cached set is re-stamped.
        var unrelated = await _grains.GetUser(t, "ivy-2").Create(new CreateUserCommand { UserName = "ivy-2" });
        var restamped = await user.DescribeCompiledSet(unrelated.Revision);
        Assert.Equal(unrelated.Revision, restamped.Revision);
        Assert.Equal(builds, restamped.Builds);

        var v2 = await _grains.GetManagedPolicy(arn).CreateVersion(arn, Documents.Allow("s3:PutObject"), setAsDefault: true);
        var after = await user.DescribeCompiledSet(v2.Revision);
        Assert.Equal(v2.Revision, after.Revision);
        Assert.Equal(["own", $"{arn}@v2"], after.Identity.ToArray());
        Assert.Equal(builds + 1, after.Builds);

        var snapshot = await user.GetSnapshot(v2.Revision);
        Assert.Equal(v2.Revision, snapshot.Revision);
        var groupDocument = Assert.Single(snapshot.Documents, d => d.Origin == DocumentOrigin.GroupManaged);
        Assert.Equal("scientists", groupDocument.OwnerName);
        Assert.Equal("v2", groupDocument.VersionId);
        Assert.Contains("s3:PutObject", groupDocument.Json);

        var back = await _grains.GetManagedPolicy(arn).SetDefaultVersion(arn, "v1");
        Assert.Equal([$"{arn}@v1"], (await user.DescribeCompiledSet(back)).Identity.Skip(1).ToArray());
    }

    [Fact]
    public async Task Membership_group_policy_boundary_and_guardrail_changes_invalidate_the_principal()
    {
        var t = await NewTenantAsync();
        var boundary = (await _grains.GetManagedPolicy(t, "cap").Create(new CreatePolicyCommand { PolicyName = "cap", Document = Documents.Allow("s3:*") })).Policy.Arn;
        await _grains.GetGroup(t, "ops").Create("ops", "/");
        await _grains.GetRole(t, "Trainer").Create(new CreateRoleCommand { RoleName = "Trainer", AssumeRolePolicyDocument = Documents.Trust() });
        await _grains.GetUser(t, "jack").Create(new CreateUserCommand { UserName = "jack" });
        IPrincipalGrain user = _grains.GetUser(t, "jack");
        IPrincipalGrain role = _grains.GetRole(t, "Trainer");
        await user.DescribeCompiledSet(0);
        await role.DescribeCompiledSet(0);

        var r1 = await _grains.GetUser(t, "jack").AddToGroup("ops");
        var r2 = await _grains.GetGroup(t, "ops").PutInlinePolicy("ops-inline", Documents.Allow("ec2:*"));
        var set = await user.DescribeCompiledSet(r2);
        Assert.Equal(r2, set.Revision);
        Assert.Equal(["ops-inline"], set.Identity.ToArray());
        Assert.True(r2 > r1);

        var r3 = await user.PutPermissionsBoundary(boundary);
        Assert.Equal([$"{boundary}@v1"], (await user.DescribeCompiledSet(r3)).Boundaries.ToArray());

        var r4 = await _grains.GetTenant(t).PutGuardrail("s3-only", Documents.Allow("s3:*"));
        var r5 = await _grains.GetTenant(t).PutGuardrail("no-delete", Documents.Deny("s3:DeleteObject"));
        var guarded = await user.DescribeCompiledSet(r5);
        Assert.Equal(r5, guarded.Revision);
        Assert.Equal(["no-delete", "s3-only"], guarded.GuardrailLevels.ToArray());
        var roleSet = await role.DescribeCompiledSet(r5);
        Assert.Equal(["no-delete", "s3-only"], roleSet.GuardrailLevels.ToArray());
        Assert.True(r5 > r4);

        var roleSnapshot = await role.GetSnapshot(r5);
        Assert.Equal(DocumentKind.Trust, roleSnapshot.TrustPolicy!.Kind);
        Assert.Equal(r5, roleSnapshot.GuardrailsRevision);

        var r6 = await _grains.GetUser(t, "jack").RemoveFromGroup("ops");
        Assert.Empty((await user.DescribeCompiledSet(r6)).Identity);
    }

    [Fact]
    public async Task The_snapshot_compiles_to_the_policy_set_the_engine_evaluates()
    {
        var t = await NewTenantAsync();
        await _grains.GetUser(t, "kim").Create(new CreateUserCommand { UserName = "kim", Tags = [new TagEntry { Key = "team", Value = "ml" }] });
        await _grains.GetUser(t, "kim").PutInlinePolicy("read", Documents.Allow("s3:GetObject"));
        var revision = await _grains.GetTenant(t).PutGuardrail("no-s3-delete", Documents.Deny("s3:DeleteObject"));
        var snapshot = await _grains.GetUser(t, "kim").GetSnapshot(revision);

        var set = new PolicySetCompiler().Compile(snapshot);
        Assert.Equal(revision, set.Revision);
        Assert.Single(set.Identity);
        Assert.Single(set.Guardrails);
        Assert.Equal("kim", snapshot.Name);
        Assert.Equal([new TagEntry { Key = "team", Value = "ml" }], snapshot.Tags.ToArray());
        Assert.True(AuthorizationRequest.TryCreate(snapshot.Arn, "s3:GetObject", "arn:aws:s3:::b/k", null, null, out _, out var error), error);
    }

    [Fact]
    public async Task Unknown_principals_and_tenants_give_a_snapshot_that_does_not_exist()
    {
        var t = await NewTenantAsync();
        Assert.False((await _grains.GetUser(t, "nobody").GetSnapshot(0)).Exists);
        Assert.False((await _grains.GetRole("888888888888", "nobody").GetSnapshot(0)).Exists);
        Assert.Null(_grains.GetPrincipal("arn:aws:iam::123456789012:root"));
        Assert.NotNull(_grains.GetPrincipal($"arn:aws:sts::{t}:assumed-role/Trainer/session-1"));
    }

    /// <summary>
    /// The nearest registered self-or-ancestor, found by binary search over prefixes, is the longest registered ARN that
    /// governs the query, over random trees and queries (including near misses: a longer name, a prefix without a slash).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_nearest_registered_ancestor_is_the_longest_registered_arn_that_governs(int seed)
    {
        var random = new Random(seed);
        const string root = "arn:aws:s3:::b";
        string RandomArn() => root + string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => "/" + "xyz"[random.Next(3)] + (random.Next(3) == 0 ? "x" : "")));
        for (var round = 0; round < 200; round++)
        {
            var entries = Enumerable.Range(0, random.Next(0, 8)).Select(_ => RandomArn()).Distinct().Order(StringComparer.Ordinal)
                .Select(arn => new ResourceTreeEntry { ResourceArn = arn, OwnerTenantId = "111122223333" }).ToImmutableArray();
            var view = new ResourceTreeView { Root = root, Entries = entries };
            for (var query = 0; query < 20; query++)
            {
                var arn = RandomArn() + (random.Next(4) == 0 ? "z" : "");
                var expected = entries.Where(e => GrainKeys.Governs(e.ResourceArn, arn)).MaxBy(e => e.ResourceArn.Length);
                Assert.Equal(expected, view.FindRegistered(arn));
                Assert.Equal(expected is null ? -1 : entries.IndexOf(expected), view.IndexOfRegistered(arn));
            }
        }
    }

    [Fact]
    public async Task Resource_policies_are_found_on_the_nearest_ancestor_and_owners_are_isolated()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        var bucket = $"arn:aws:s3:::data-{a}";
        var revision = await _grains.GetResource(bucket).PutPolicy(a, Documents.BucketPolicy($"arn:aws:iam::{b}:root", "s3:GetObject", bucket + "/*"));
        var registered = await _grains.GetResource(bucket + "/train/x.csv").Register(a, [new TagEntry { Key = "class", Value = "pii" }]);
        Assert.Equal(revision + 1, registered.Revision);

        var view = await _grains.GetResourceTree(bucket + "/train/x.csv").GetView();
        Assert.Equal(bucket, Assert.Single(view.PolicyHolders(bucket + "/train/x.csv")).ResourceArn);
        Assert.Equal(bucket + "/train/x.csv", view.FindRegistered(bucket + "/train/x.csv")!.ResourceArn);
        Assert.Equal(bucket, view.FindRegistered(bucket + "/other")!.ResourceArn);
        Assert.Null(view.FindRegistered($"arn:aws:s3:::data-{a}x"));

        var governing = await _grains.GetResource(bucket).GetSnapshot(registered.Revision);
        Assert.Equal(a, governing.OwnerTenantId);
        Assert.Equal(registered.Revision, governing.Revision);
        Assert.NotNull(new PolicySetCompiler().Compile(governing).Policy);

        var before = await _grains.GetTenant(b).GetRevision();
        await AdminAssert.Fails(AdminErrorCode.PermissionDenied, () => _grains.GetResource(bucket).PutPolicy(b, Documents.BucketPolicy($"arn:aws:iam::{b}:root", "s3:*", "*")));
        await AdminAssert.Fails(AdminErrorCode.PermissionDenied, () => _grains.GetResource(bucket + "/mine").Register(b, []));
        await AdminAssert.Fails(AdminErrorCode.NotFound, () => _grains.GetResource(bucket).GetPolicy(b));
        Assert.Equal(before, await _grains.GetTenant(b).GetRevision());
        Assert.Null((await _grains.GetResource(bucket + "/mine").GetSnapshot(0)).OwnerTenantId);

        await AdminAssert.Fails(AdminErrorCode.InvalidArgument, () => _grains.GetResource(bucket).PutPolicy(a, Documents.Allow("s3:*")));
        Assert.Contains("s3:GetObject", await _grains.GetResource(bucket).GetPolicy(a));

        var deleted = await _grains.GetResource(bucket).DeletePolicy(a);
        Assert.Empty((await _grains.GetResourceTree(bucket).GetView()).PolicyHolders(bucket + "/train/x.csv"));
        Assert.Null((await _grains.GetResource(bucket).GetSnapshot(deleted)).Policy);
    }
}
