using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Hosting;

namespace Authz.Server.Health;

/// <summary>Healthy while the grain storage database answers.</summary>
internal sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var storage = services.GetAuthzGrainStorage();
        try
        {
            await storage.CheckHealthAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{storage.Provider} storage answers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{storage.Provider} storage does not answer", ex);
        }
    }
}
