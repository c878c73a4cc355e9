using Authz.Grains;

namespace Authz.Server.Services;

/// <summary>Registers the admin service and what it needs.</summary>
public static class AdminServiceRegistration
{
    /// <summary>
    /// Adds the grains' services (quotas from <c>Authz:Quotas</c>, the policy set compiler) and the admin service's
    /// error interceptor. Call after <c>AddGrpc</c>.
    /// </summary>
    public static IServiceCollection AddAuthzAdmin(this IServiceCollection services)
    {
        services.AddAuthzGrains();
        services.AddSingleton<AdminErrorInterceptor>();
        services.AddGrpc().AddServiceOptions<AdminService>(options => options.Interceptors.Add<AdminErrorInterceptor>());
        return services;
    }
}
