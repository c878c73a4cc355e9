using Authz.Grains.Decisions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Authz.Grains.Tests.Decisions;

/// <summary>How <see cref="DecisionCache"/> resolves resources through their trees, also while its bound makes it start over.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class DecisionCacheTests(ThreeSiloCluster cluster)
{
    /// <summary>
    /// Every kind of resource a check names resolves as it should, from a loaded tree and from a cached one: an object
    /// under a registered bucket (the bucket's owner and policy), ARNs no registered ARN governs (their own account
    /// field, else the check's tenant), <c>*</c>, an ARN whose tree key cuts its account field, and a tenant that does
    /// not exist. With a bound of two trees the cache starts over all the time; with a larger one, later rounds are hits.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(1_000)]
    public async Task Resources_resolve_through_their_trees_whether_cached_or_loaded(int maxTrees)
    {
        var grains = cluster.Silos[0].Grains;
        var world = await World.CreateAsync(grains, WriteKind.InlinePolicy);
        var t = world.Tenant;
        var revision = await grains.GetResource(world.Bucket).PutPolicy(t, Documents.BucketPolicy(world.Alice, "s3:GetObject", world.Bucket + "/*"));
        var cache = new DecisionCache(grains, new PolicySetCompiler(), Options.Create(new DecisionOptions { MaxResources = maxTrees }),
            NullLogger<DecisionCache>.Instance);
        (string Arn, string Account, string? Holder)[] expected =
        [
            (world.Object, t, world.Bucket),
            (world.Bucket + "/deep/er/y.csv", t, world.Bucket),
            (world.Bucket, t, world.Bucket),
            ($"arn:aws:s3:::other-{t}/x.csv", t, null),
            ($"arn:aws:sagemaker:us-east-1:{t}:training-job/j", t, null),
            ("arn:aws:sagemaker:us-east-1:999988887777:training-job/j", "999988887777", null),
            ("arn:aws:s/x:us-east-1:999988887777:thing", "999988887777", null),
            ("*", t, null),
        ];

        for (var round = 0; round < 3; round++)
        {
            foreach (var (arn, account, holder) in expected)
            {
                var entry = await cache.GetResourceAsync(arn, t, revision, CancellationToken.None);
                Assert.True(entry.TenantExists, arn);
                Assert.True(entry.TenantRevision >= revision, arn);
                Assert.Equal(account, entry.ResourceAccount);
                Assert.Equal(holder, entry.PolicyHolderArn);
                Assert.Equal(holder is null ? null : t, entry.OwnerTenantId);
                Assert.Equal(holder is not null, entry.Policies.Policy is not null);
            }

            var missing = await cache.GetResourceAsync(world.Object, "000000000001", 0, CancellationToken.None);
            Assert.False(missing.TenantExists);
            Assert.Null(missing.PolicyHolderArn);
        }
    }
}
