using Authz.Grains;
using Authz.Server.Limits;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Authz.Server.Extensions;

/// <summary>
/// The limits of <c>Authz:Limits</c> (bound and validated with the grains' services): the request size, deadlines, and
/// the per-tenant rate limits. Batch size is checked by the decision service, entities per tenant
/// by the tenant grain.
/// </summary>
public static class AuthzLimitsExtensions
{
    /// <summary>Adds the limits, which <see cref="AuthzSecurityExtensions.AddAuthzSecurity"/> applies after authorization.</summary>
    public static IServiceCollection AddAuthzLimits(this IServiceCollection services)
    {
        services.TryAddKeyedSingleton(TenantRateLimiter.ClockKey, TimeProvider.System);
        services.AddSingleton<TenantRateLimiter>();
        services.AddSingleton<CallRateLimits>();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<AuthzLimitsOptions>>((grpc, limits) =>
            grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes);
        // The request size is gRPC's to enforce: it reads a message's 5-byte length prefix and answers RESOURCE_EXHAUSTED
        // before reading an oversized body, and refuses data after a unary call's one message. Kestrel's own body limit
        // (30 MB by default) would instead fail the read inside the handler, which the caller sees as UNKNOWN.
        services.AddOptions<KestrelServerOptions>().Configure(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        return services;
    }
}
