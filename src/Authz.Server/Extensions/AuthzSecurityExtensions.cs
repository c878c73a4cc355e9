using Authz.Server.Security;
using Authz.Server.Services;

namespace Authz.Server.Extensions;

/// <summary>Authentication of callers by access key, bound from <c>Authz:Security</c>.</summary>
public static class AuthzSecurityExtensions
{
    /// <summary>Puts the authentication interceptor in front of the admin and authorization services. Call after <c>AddGrpc</c>.</summary>
    public static IServiceCollection AddAuthzSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.VerificationCacheTtl >= TimeSpan.Zero, "Authz:Security:VerificationCacheTtl must not be negative")
            .ValidateOnStart();
        services.AddSingleton<BootstrapKeyStore>();
        services.AddSingleton<AccessKeyAuthenticator>();
        services.AddHostedService<SecurityStartup>();
        services.AddGrpc()
            .AddServiceOptions<AdminService>(o => o.Interceptors.Add<AuthenticationInterceptor>())
            .AddServiceOptions<AuthorizationService>(o => o.Interceptors.Add<AuthenticationInterceptor>());
        return services;
    }
}
