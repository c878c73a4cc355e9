using System.Globalization;
using Authz.Server.Limits;
using Authz.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Authz.Server.Tests.Limits;

/// <summary>
/// A real server whose rate limits run on a fake clock: checks at 1 per second with a burst of 3 for every tenant, and
/// admin calls of tenant <see cref="C"/> at 0.5 per second with a burst of 2. Each test starts by letting every bucket
/// refill, so the tests do not depend on each other or on time.
/// </summary>
public sealed class RateLimitFixture : IAsyncLifetime
{
    public const string A = "410000000001", B = "410000000002", C = "410000000003";

    private ServerHost? _host;
    private GrpcChannel? _channel;

    public FakeTimeProvider Clock { get; } = new();

    public Admin.AdminClient Admin { get; private set; } = null!;

    public Authorization.AuthorizationClient Authorization { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartEmbeddedAsync(
            new Dictionary<string, string?>
            {
                ["Authz:Limits:RateLimits:Checks:PerSecond"] = "1",
                ["Authz:Limits:RateLimits:Checks:Burst"] = "3",
                [$"Authz:Limits:RateLimits:Tenants:{C}:Admin:PerSecond"] = "0.5",
                [$"Authz:Limits:RateLimits:Tenants:{C}:Admin:Burst"] = "2",
            },
            services => services.AddKeyedSingleton<TimeProvider>(TenantRateLimiter.ClockKey, Clock));
        _channel = _host.CreateChannel();
        Admin = new Admin.AdminClient(_channel);
        Authorization = new Authorization.AuthorizationClient(_channel);
        foreach (var tenant in new[] { A, B, C })
        {
            await Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenant, Name = "rate limits " + tenant });
            Refill();
        }

        foreach (var tenant in new[] { A, B })
        {
            await Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "alice" });
            await Admin.PutUserPolicyAsync(new PutUserPolicyRequest
            {
                TenantId = tenant,
                UserName = "alice",
                PolicyName = "read",
                PolicyDocument = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}""",
            });
        }
    }

    /// <summary>Lets every bucket refill completely.</summary>
    public void Refill() => Clock.Advance(TimeSpan.FromHours(1));

    public static AuthorizeRequest Check(string tenant) => new()
    {
        TenantId = tenant,
        Principal = $"arn:aws:iam::{tenant}:user/alice",
        Action = "s3:GetObject",
        Resource = "arn:aws:s3:::data/train.csv",
    };

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class RateLimitTests(RateLimitFixture fixture) : IClassFixture<RateLimitFixture>
{
    private const string A = RateLimitFixture.A, B = RateLimitFixture.B, C = RateLimitFixture.C;

    private readonly Authorization.AuthorizationClient _authorization = fixture.Authorization;
    private readonly Admin.AdminClient _admin = fixture.Admin;

    [Fact]
    public async Task Checks_beyond_the_burst_are_refused_with_a_retry_hint_and_succeed_after_it()
    {
        fixture.Refill();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Decision.Allow, (await _authorization.AuthorizeAsync(RateLimitFixture.Check(A))).Decision);
        }

        var refused = await Refused(() => _authorization.AuthorizeAsync(RateLimitFixture.Check(A)).ResponseAsync);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryDelay);
        Assert.Equal($"tenant `{A}` is over its rate limit of 1 checks per second (burst 3) on this server; retry in 1000 ms", refused.Message);

        // Another tenant's checks are not affected by A's.
        Assert.Equal(Decision.Allow, (await _authorization.AuthorizeAsync(RateLimitFixture.Check(B))).Decision);

        fixture.Clock.Advance(refused.RetryDelay);
        Assert.Equal(Decision.Allow, (await _authorization.AuthorizeAsync(RateLimitFixture.Check(A))).Decision);
        await Refused(() => _authorization.AuthorizeAsync(RateLimitFixture.Check(A)).ResponseAsync);
    }

    [Fact]
    public async Task A_batch_takes_a_token_per_check_and_a_refused_batch_takes_none_from_any_tenant()
    {
        fixture.Refill();
        var three = new BatchAuthorizeRequest { Checks = { RateLimitFixture.Check(A), RateLimitFixture.Check(A), RateLimitFixture.Check(A) } };
        Assert.Equal(3, (await _authorization.BatchAuthorizeAsync(three)).Results.Count(r => r.Decision == Decision.Allow));

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var refused = await Refused(() => _authorization.BatchAuthorizeAsync(
            new BatchAuthorizeRequest { Checks = { RateLimitFixture.Check(B), RateLimitFixture.Check(A), RateLimitFixture.Check(A) } }).ResponseAsync);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryDelay);
        Assert.Contains($"tenant `{A}`", refused.Message, StringComparison.Ordinal);

        // A's one token and all three of B's are still there.
        Assert.Equal(Decision.Allow, (await _authorization.AuthorizeAsync(RateLimitFixture.Check(A))).Decision);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Decision.Allow, (await _authorization.AuthorizeAsync(RateLimitFixture.Check(B))).Decision);
        }
    }

    [Fact]
    public async Task Each_simulated_action_and_resource_pair_counts_as_a_check()
    {
        fixture.Refill();
        var simulation = new SimulatePrincipalPolicyRequest
        {
            PolicySourceArn = $"arn:aws:iam::{A}:user/alice",
            ActionNames = { "s3:GetObject", "s3:PutObject" },
            ResourceArns = { "arn:aws:s3:::data/a", "arn:aws:s3:::data/b" },
        };
        Assert.Equal(4, (await _authorization.SimulatePrincipalPolicyAsync(simulation)).EvaluationResults.Count);

        // Four tokens from a bucket of three: one in debt, so the next check waits two seconds.
        var refused = await Refused(() => _authorization.AuthorizeAsync(RateLimitFixture.Check(A)).ResponseAsync);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryDelay);
    }

    [Fact]
    public async Task Admin_calls_are_limited_by_the_tenants_own_override_and_no_other_tenant_is()
    {
        fixture.Refill();
        await _admin.GetTenantAsync(new GetTenantRequest { TenantId = C });
        await _admin.GetTenantAsync(new GetTenantRequest { TenantId = C });

        var refused = await Refused(() => _admin.GetTenantAsync(new GetTenantRequest { TenantId = C }).ResponseAsync);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryDelay);
        Assert.Equal($"tenant `{C}` is over its rate limit of 0.5 admin calls per second (burst 2) on this server; retry in 2000 ms", refused.Message);
        Assert.Equal($"arn:aws:iam::{C}:root", Assert.Single(refused.Quota.Violations).Subject);

        await _admin.GetTenantAsync(new GetTenantRequest { TenantId = A });
        fixture.Clock.Advance(refused.RetryDelay);
        await _admin.GetTenantAsync(new GetTenantRequest { TenantId = C });
    }

    private sealed record Refusal(string Message, TimeSpan RetryDelay, QuotaFailure Quota);

    /// <summary>Asserts RESOURCE_EXHAUSTED with RetryInfo, and a retry-after-ms trailer that agrees with it.</summary>
    private static async Task<Refusal> Refused(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var delay = status.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan();
        Assert.Equal(((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), ex.Trailers.GetValue(CallRateLimits.RetryAfterTrailer));
        return new Refusal(ex.Status.Detail, delay, status.GetDetail<QuotaFailure>());
    }
}
