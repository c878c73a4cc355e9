using System.Globalization;
using System.Security.Cryptography;
using Authz.V1;
using Xunit.Abstractions;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// The engine's corpus replayed through the gRPC API of a real in-process host (STYLE.md item 13): each scenario is
/// seeded on fresh tenants through the Admin API and each request is asked with <c>Authorize</c>, expecting the
/// corpus's decision and determining statements. Requests that use something the service has no equivalent for are
/// skipped with the reason printed; at least 70% of all requests must be replayed.
/// </summary>
[Collection(DecisionApiCollection.Name)]
public sealed class CorpusReplayTests(DecisionApiFixture fixture, ITestOutputHelper output)
{
    /// <summary>The share of corpus requests that must be replayed rather than skipped.</summary>
    private const double RequiredCoverage = 0.70;

    public static TheoryData<string> Files() => [.. CorpusFiles.RelativePaths()];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Scenario_is_answered_through_grpc_as_the_corpus_says(string file)
    {
        var plan = await ReplayPlan.CreateAsync(file, DecisionApiFixture.NewTenantId, BucketPrefix(), RejectsAsync);
        foreach (var skipped in plan.Requests.Where(r => r.Skip is not null))
        {
            output.WriteLine($"skipped [{skipped.Index}] {skipped.Description}: {skipped.Skip}");
        }

        if (plan.Requests.All(r => r.Skip is not null))
        {
            return;
        }

        var replay = new CorpusReplay(fixture.Admin, fixture.Authorization, plan);
        var failures = await replay.RunAsync();
        output.WriteLine($"replayed {replay.Replayed} of {plan.Requests.Length} requests");
        Assert.True(failures.Count == 0, $"{file}:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task At_least_70_percent_of_the_corpus_requests_are_replayed()
    {
        var next = 0;
        string DummyTenant() => (500_000_000_000 + Interlocked.Increment(ref next)).ToString(CultureInfo.InvariantCulture);
        var requests = new List<PlannedRequest>();
        foreach (var file in CorpusFiles.RelativePaths())
        {
            requests.AddRange((await ReplayPlan.CreateAsync(file, DummyTenant, "p-", RejectsAsync)).Requests);
        }

        var replayed = requests.Count(r => r.Skip is null);
        output.WriteLine($"replayed {replayed} of {requests.Count} corpus requests ({100.0 * replayed / requests.Count:F1}%)");
        foreach (var group in requests.Where(r => r.Skip is not null).GroupBy(r => Category(r.Skip!)).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  skipped {group.Count(),3}: {group.Key}");
        }

        Assert.True(replayed >= RequiredCoverage * requests.Count,
            $"only {replayed} of {requests.Count} corpus requests can be replayed through the service; at least {RequiredCoverage:P0} must be");
    }

    /// <summary>What the Admin API's strict validator (the one writes use) finds wrong with a document, or null.</summary>
    private async Task<string?> RejectsAsync(string document, V1.PolicyType type)
    {
        var result = await fixture.Admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = document, PolicyType = type });
        return result.Valid ? null : result.Findings.First(f => f.Severity == FindingSeverity.Error).Message;
    }

    /// <summary>A skip reason without its specifics, for the summary.</summary>
    private static string Category(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? reason : reason[..colon];
    }

    /// <summary>A bucket prefix no other scenario uses: S3 ARNs name no account, and a bucket belongs to one tenant.</summary>
    private static string BucketPrefix() => "c" + RandomNumberGenerator.GetHexString(8, lowercase: true) + "-";
}
