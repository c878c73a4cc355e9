using Authz.Server.Hosting;
using Authz.Server.Security;

namespace Authz.Server.Extensions;

/// <summary>Authentication of callers by access key (bound from <c>Authz:Security</c>) and authorization of their calls by the engine.</summary>
public static class AuthzSecurityExtensions
{
    /// <summary>
    /// Puts authentication and authorization, with the limits of <see cref="AuthzLimitsExtensions.AddAuthzLimits"/>, in
    /// front of the services marked <see cref="BehindAdmissionAttribute"/>, the admin and authorization services
    /// (<see cref="CallAdmission"/>).
    /// </summary>
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
        services.AddSingleton<CallAdmission>();
        // Replaces the grains' default (record nothing): admin changes are audited in the storage transaction.
        services.AddSingleton<StorageAuditTrail>();
        services.AddSingleton<Authz.Grains.IAuditTrail>(sp => sp.GetRequiredService<StorageAuditTrail>());
        services.AddHostedService<SecurityStartup>();
        return services;
    }
}
