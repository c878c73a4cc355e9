using Authz.Server.Security;
using Authz.Server.Services;

namespace Authz.Server.Extensions;

/// <summary>Authentication of callers by access key (bound from <c>Authz:Security</c>) and authorization of their calls by the engine.</summary>
public static class AuthzSecurityExtensions
{
    /// <summary>Puts authentication and authorization in front of the admin and authorization services. Call after <c>AddGrpc</c>.</summary>
    public static IServiceCollection AddAuthzSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.VerificationCacheTtl >= TimeSpan.Zero, "Authz:Security:VerificationCacheTtl must not be negative")
            .ValidateOnStart();
        services.AddSingleton<BootstrapKeyStore>();
        services.AddSingleton<AccessKeyAuthenticator>();
        services.AddSingleton<CallAuthorizer>();
        // Stateless, like the services (AuthzGrpcExtensions).
        services.AddSingleton<AuthenticationInterceptor>();
        services.AddSingleton<CallAuthorizationInterceptor>();
        // Replaces the grains' default (record nothing): admin changes are audited in the storage transaction.
        services.AddSingleton<StorageAuditTrail>();
        services.AddSingleton<Authz.Grains.IAuditTrail>(sp => sp.GetRequiredService<StorageAuditTrail>());
        services.AddHostedService<SecurityStartup>();
        services.AddGrpc()
            .AddServiceOptions<AdminService>(o => AddInterceptors(o.Interceptors))
            .AddServiceOptions<AuthorizationService>(o => AddInterceptors(o.Interceptors));
        return services;
    }

    // Authentication first, then authorization by the engine; both before the service sees the request.
    private static void AddInterceptors(Grpc.AspNetCore.Server.InterceptorCollection interceptors)
    {
        interceptors.Add<AuthenticationInterceptor>();
        interceptors.Add<CallAuthorizationInterceptor>();
    }
}
