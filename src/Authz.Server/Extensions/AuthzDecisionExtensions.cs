using Authz.Grains.Decisions;

namespace Authz.Server.Extensions;

/// <summary>The decision path: the silo-local cache, its revision subscription, and the decision service.</summary>
public static class AuthzDecisionExtensions
{
    /// <summary>Adds the decision path's services, bound from <c>Authz:Decisions</c>.</summary>
    public static IServiceCollection AddAuthzDecisions(this IServiceCollection services)
    {
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.SectionName);
        services.AddSingleton<DecisionCache>();
        services.AddSingleton<DecisionService>();
        services.AddHostedService<DecisionCacheSubscription>();
        return services;
    }
}
