using Authz.Policy.Model;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// The service's limits, bound from <c>Authz:Limits</c> (<c>Authz__Limits__MaxBatchSize</c>, ...): request size, batch
/// size, entities per tenant, and per-tenant rate limits. The grains enforce <see cref="MaxEntitiesPerTenant"/>; the gRPC
/// host enforces the rest.
/// </summary>
public sealed class AuthzLimitsOptions
{
    public const string SectionName = "Authz:Limits";

    /// <summary>The largest request message the server accepts, in bytes; a larger one is RESOURCE_EXHAUSTED.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most checks in one <c>BatchAuthorize</c> call; more is INVALID_ARGUMENT.</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// The most users, groups, roles, managed policies and registered resources one tenant holds, counted together
    /// (one budget is simpler to plan than five, and every kind costs the same: one directory entry). Creating one more
    /// is RESOURCE_EXHAUSTED with a QuotaFailure and changes nothing.
    /// </summary>
    public int MaxEntitiesPerTenant { get; set; } = 10_000;

    /// <summary>Per-tenant token buckets for checks and for admin calls.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();
}

/// <summary>
/// Per-tenant token buckets, kept by each server (silo) for the calls it serves: a cluster of N silos behind a balancer
/// admits up to N times these rates.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Whether calls are rate limited at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Checks: each check of <c>Authorize</c> and <c>BatchAuthorize</c>, and each action/resource pair a
    /// <c>Simulate*</c> call evaluates, takes one token from the bucket of the tenant it is asked about.
    /// </summary>
    public TokenBucketOptions Checks { get; set; } = new() { PerSecond = 50_000, Burst = 100_000 };

    /// <summary>Admin calls: each takes one token from the bucket of the tenant it acts in.</summary>
    public TokenBucketOptions Admin { get; set; } = new() { PerSecond = 200, Burst = 2_000 };

    /// <summary>Overrides by tenant id; a setting left out keeps the default above.</summary>
    public Dictionary<string, TenantRateLimitOptions> Tenants { get; set; } = [];

    /// <summary>
    /// How many tenants' buckets one server keeps. A bucket that has refilled completely is the same as a new one and
    /// is dropped when the map is full, so idle and unknown tenants cost no memory for long.
    /// </summary>
    public int MaxTenants { get; set; } = 100_000;
}

/// <summary>A token bucket: <see cref="Burst"/> tokens, refilled at <see cref="PerSecond"/>.</summary>
public sealed class TokenBucketOptions
{
    /// <summary>Tokens added per second: the sustained rate.</summary>
    public double PerSecond { get; set; }

    /// <summary>The bucket's size: how many calls may come at once after a quiet period.</summary>
    public int Burst { get; set; }
}

/// <summary>One tenant's overrides; null keeps the default.</summary>
public sealed class TenantRateLimitOptions
{
    public TokenBucketOverride? Checks { get; set; }
    public TokenBucketOverride? Admin { get; set; }
}

/// <summary>A partial <see cref="TokenBucketOptions"/>: what is left out keeps the default.</summary>
public sealed class TokenBucketOverride
{
    public double? PerSecond { get; set; }
    public int? Burst { get; set; }

    /// <summary>This override over <paramref name="defaults"/>.</summary>
    public TokenBucketOptions Over(TokenBucketOptions defaults) =>
        new() { PerSecond = PerSecond ?? defaults.PerSecond, Burst = Burst ?? defaults.Burst };
}

/// <summary>Refuses a start with limits that cannot work, naming the key.</summary>
public sealed class AuthzLimitsOptionsValidator : IValidateOptions<AuthzLimitsOptions>
{
    /// <summary>Rates and bursts are bounded so that bucket arithmetic in timestamp ticks cannot overflow.</summary>
    public const double MinPerSecond = 0.001, MaxPerSecond = 10_000_000;
    public const int MaxBurst = 10_000_000;

    public ValidateOptionsResult Validate(string? name, AuthzLimitsOptions options)
    {
        const string s = AuthzLimitsOptions.SectionName;
        var failures = new List<string>();
        // gRPC frames carry a 32-bit length; below 1 KiB not even a policy document fits.
        if (options.MaxRequestBytes is < 1024 or > int.MaxValue - 5)
        {
            failures.Add($"{s}:MaxRequestBytes must be between 1024 and {int.MaxValue - 5}, not {options.MaxRequestBytes}");
        }

        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{s}:MaxBatchSize must be between 1 and 10000, not {options.MaxBatchSize}");
        }

        if (options.MaxEntitiesPerTenant < 1)
        {
            failures.Add($"{s}:MaxEntitiesPerTenant must be positive, not {options.MaxEntitiesPerTenant}");
        }

        var rates = options.RateLimits;
        if (rates.MaxTenants < 1)
        {
            failures.Add($"{s}:RateLimits:MaxTenants must be positive, not {rates.MaxTenants}");
        }

        CheckBucket(failures, $"{s}:RateLimits:Checks", rates.Checks);
        CheckBucket(failures, $"{s}:RateLimits:Admin", rates.Admin);
        foreach (var (tenant, limits) in rates.Tenants)
        {
            if (!Arn.IsAccountId(tenant))
            {
                failures.Add($"{s}:RateLimits:Tenants: `{tenant}` is not a tenant id (12 digits)");
                continue;
            }

            CheckBucket(failures, $"{s}:RateLimits:Tenants:{tenant}:Checks", limits?.Checks?.Over(rates.Checks));
            CheckBucket(failures, $"{s}:RateLimits:Tenants:{tenant}:Admin", limits?.Admin?.Over(rates.Admin));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckBucket(List<string> failures, string key, TokenBucketOptions? bucket)
    {
        if (bucket is null)
        {
            return;
        }

        if (!(bucket.PerSecond is >= MinPerSecond and <= MaxPerSecond))
        {
            failures.Add(FormattableString.Invariant($"{key}:PerSecond must be between {MinPerSecond} and {MaxPerSecond}, not {bucket.PerSecond}"));
        }

        if (bucket.Burst is < 1 or > MaxBurst)
        {
            failures.Add($"{key}:Burst must be between 1 and {MaxBurst}, not {bucket.Burst}");
        }
    }
}
