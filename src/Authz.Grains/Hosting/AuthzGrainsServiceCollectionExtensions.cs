using Authz.Grains;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the Authz grains need in a silo.</summary>
public static class AuthzGrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the quota and limit options (bound from <see cref="AuthzQuotaOptions.SectionName"/> and
    /// <see cref="AuthzLimitsOptions.SectionName"/>, the limits validated at start), the silo's shared
    /// <see cref="PolicySetCompiler"/>, and the filter that refuses grain calls whose caller's deadline has passed. The
    /// grains themselves are found by Orleans in the referenced assembly; they persist through the Authz grain storage
    /// registered as the default provider.
    /// </summary>
    public static IServiceCollection AddAuthzGrains(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthzQuotaOptions>().BindConfiguration(AuthzQuotaOptions.SectionName);
        services.AddOptions<AuthzLimitsOptions>().BindConfiguration(AuthzLimitsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthzLimitsOptions>, AuthzLimitsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncomingGrainCallFilter, GrainDeadlineFilter>());
        services.TryAddSingleton<PolicySetCompiler>();
        services.TryAddSingleton<IAuditTrail, NoAuditTrail>();
        return services;
    }
}
