using Authz.Grains;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the Authz grains need in a silo.</summary>
public static class AuthzGrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the quota options (bound from <see cref="AuthzQuotaOptions.SectionName"/>) and the silo's shared
    /// <see cref="PolicySetCompiler"/>. The grains themselves are found by Orleans in the referenced assembly; they
    /// persist through the Authz grain storage registered as the default provider.
    /// </summary>
    public static IServiceCollection AddAuthzGrains(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthzQuotaOptions>().BindConfiguration(AuthzQuotaOptions.SectionName);
        services.TryAddSingleton<PolicySetCompiler>();
        services.TryAddSingleton<IAuditTrail, NoAuditTrail>();
        return services;
    }
}
