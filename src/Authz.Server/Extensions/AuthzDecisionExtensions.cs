using Authz.Grains.Decisions;
using Authz.Server.Journal;
using Authz.Server.Options;
using Microsoft.Extensions.Options;

namespace Authz.Server.Extensions;

/// <summary>The decision path: the silo-local cache, its revision subscription, the decision service and the decision log.</summary>
public static class AuthzDecisionExtensions
{
    /// <summary>Adds the decision path's services, bound from <c>Authz:Decisions</c> and <c>Authz:DecisionLog</c>.</summary>
    public static IServiceCollection AddAuthzDecisions(this IServiceCollection services)
    {
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.SectionName);
        services.AddSingleton<DecisionCache>();
        services.AddSingleton<DecisionService>();
        services.AddHostedService<DecisionCacheSubscription>();

        services.AddOptions<DecisionJournalOptions>()
            .BindConfiguration(DecisionJournalOptions.SectionName)
            .Configure<IOptions<AuthzServerOptions>>((journal, server) =>
            {
                if (string.IsNullOrWhiteSpace(journal.Directory))
                {
                    journal.Directory = Path.Combine(server.Value.DataDirectory, "decisions");
                }
            })
            .ValidateDataAnnotations()
            .Validate(o => Enum.IsDefined(o.Mode), "Authz:DecisionLog:Mode must be Off, Sampled or Full")
            .ValidateOnStart();
        services.AddSingleton<DecisionJournal>();
        // Registered before the gRPC server (the web host starts last and stops first), so calls drain before the log does.
        services.AddHostedService(sp => sp.GetRequiredService<DecisionJournal>());
        return services;
    }
}
