using System.Diagnostics.Metrics;
using Authz.Grains;
using Authz.Server.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Authz.Server.Tests.Limits;

/// <summary>The token buckets on a fake clock: exact refill, debt, isolation, overrides, the bound on tenants.</summary>
public sealed class TenantRateLimiterTests
{
    private const string A = "111111111111", B = "222222222222", C = "333333333333";

    private readonly FakeTimeProvider _clock = new();

    private TenantRateLimiter Limiter(Action<RateLimitOptions>? configure = null)
    {
        var options = new AuthzLimitsOptions();
        options.RateLimits.Checks = new TokenBucketOptions { PerSecond = 2, Burst = 4 };
        options.RateLimits.Admin = new TokenBucketOptions { PerSecond = 1, Burst = 1 };
        configure?.Invoke(options.RateLimits);
        return new TenantRateLimiter(Microsoft.Extensions.Options.Options.Create(options), _clock);
    }

    [Fact]
    public void A_full_bucket_admits_the_burst_then_one_call_per_refill_interval()
    {
        var limiter = Limiter();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
        }

        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out var refusal));
        Assert.Equal(new RateLimitRefusal(A, RateLimitKind.Checks, 2, 4, TimeSpan.FromMilliseconds(500)), refusal);

        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out refusal));
        Assert.Equal(TimeSpan.FromMilliseconds(1), refusal.RetryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
    }

    [Fact]
    public void Tenants_and_kinds_have_buckets_of_their_own()
    {
        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 4, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));

        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, B, 4, out _));
        Assert.True(limiter.TryAcquire(RateLimitKind.Admin, A, 1, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Admin, A, 1, out var refusal));
        Assert.Equal(new RateLimitRefusal(A, RateLimitKind.Admin, 1, 1, TimeSpan.FromSeconds(1)), refusal);
    }

    [Fact]
    public void A_call_larger_than_the_burst_is_admitted_on_a_full_bucket_and_leaves_debt()
    {
        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 10, out _));

        // 10 tokens at 2 per second: the bucket holds -6 and needs 3.5 s to give one.
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out var refusal));
        Assert.Equal(TimeSpan.FromMilliseconds(3500), refusal.RetryAfter);
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 10, out refusal));
        Assert.Equal(TimeSpan.FromSeconds(5), refusal.RetryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(3500));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
    }

    [Fact]
    public void Released_tokens_can_be_taken_again()
    {
        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 4, out _));
        limiter.Release(RateLimitKind.Checks, A, 3);

        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 3, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
    }

    [Fact]
    public void A_tenant_override_replaces_only_what_it_sets()
    {
        var limiter = Limiter(r => r.Tenants[B] = new TenantRateLimitOptions { Checks = new TokenBucketOverride { Burst = 1 } });

        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, B, 1, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, B, 1, out var refusal));
        Assert.Equal(new RateLimitRefusal(B, RateLimitKind.Checks, 2, 1, TimeSpan.FromMilliseconds(500)), refusal);
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 4, out _));
    }

    [Fact]
    public void Full_buckets_are_dropped_when_the_map_is_full_and_newcomers_beyond_it_share_a_limited_bucket()
    {
        var limiter = Limiter(r => r.MaxTenants = 2);
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 4, out _));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, B, 4, out _));
        Assert.Equal(2, limiter.TrackedTenants(RateLimitKind.Checks));

        // A and B still owe tokens: C is limited, by the shared bucket, rather than tracked or let through.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, C, 4, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, C, 1, out _));
        Assert.Equal(2, limiter.TrackedTenants(RateLimitKind.Checks));

        // Once A and B have refilled they are the same as new buckets, and make room.
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, C, 4, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Checks, C, 1, out _));
        Assert.Equal(1, limiter.TrackedTenants(RateLimitKind.Checks));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 4, out _));
    }

    [Fact]
    public void Idle_buckets_are_dropped_when_a_new_tenant_arrives_a_minute_later()
    {
        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, A, 1, out _));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, B, 1, out _));
        Assert.Equal(2, limiter.TrackedTenants(RateLimitKind.Checks));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(limiter.TryAcquire(RateLimitKind.Checks, C, 1, out _));
        Assert.Equal(1, limiter.TrackedTenants(RateLimitKind.Checks));
    }

    [Fact]
    public void Refusals_are_counted_by_kind_and_tenant()
    {
        var counted = new List<(long Value, string? Kind, string? Tenant)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == TenantRateLimiter.Meter && instrument.Name == "authz.rate_limit.refusals")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, measured, _) =>
        {
            var tags = measured.ToArray();
            string? Tag(string name)
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == name)
                    {
                        return tag.Value as string;
                    }
                }

                return null;
            }

            // Other tests may refuse concurrently; keep this test's tenant only.
            if (Tag("tenant") == C)
            {
                lock (counted)
                {
                    counted.Add((value, Tag("kind"), Tag("tenant")));
                }
            }
        });
        listener.Start();

        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(RateLimitKind.Admin, C, 1, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Admin, C, 1, out _));
        Assert.False(limiter.TryAcquire(RateLimitKind.Admin, C, 1, out _));

        Assert.Equal([(1L, "admin", C), (1L, "admin", C)], counted);
    }

    [Theory]
    [InlineData("Authz:Limits:MaxBatchSize", "0", "Authz:Limits:MaxBatchSize must be between 1 and 10000, not 0")]
    [InlineData("Authz:Limits:MaxRequestBytes", "10", "Authz:Limits:MaxRequestBytes must be between 1024")]
    [InlineData("Authz:Limits:MaxEntitiesPerTenant", "-1", "Authz:Limits:MaxEntitiesPerTenant must be positive, not -1")]
    [InlineData("Authz:Limits:RateLimits:Checks:PerSecond", "0", "Authz:Limits:RateLimits:Checks:PerSecond must be between 0.001 and 10000000, not 0")]
    [InlineData("Authz:Limits:RateLimits:Admin:Burst", "0", "Authz:Limits:RateLimits:Admin:Burst must be between 1 and 10000000, not 0")]
    [InlineData("Authz:Limits:RateLimits:Tenants:acme:Checks:Burst", "5", "Authz:Limits:RateLimits:Tenants: `acme` is not a tenant id (12 digits)")]
    [InlineData("Authz:Limits:RateLimits:Tenants:111122223333:Admin:PerSecond", "-2", "Authz:Limits:RateLimits:Tenants:111122223333:Admin:PerSecond must be between")]
    public async Task A_bad_limit_stops_the_start_and_names_its_key(string key, string value, string message)
    {
        // Kestrel reads the request size while the server is built; the rest is validated when it starts.
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var host = await ServerHost.StartEmbeddedAsync(new Dictionary<string, string?> { [key] = value });
        });

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
