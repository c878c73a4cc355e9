using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Authz.Server.Health;

/// <summary>
/// The gRPC health service answers from the status its publisher last published, so a probe never queries the storage
/// itself. The periodic publisher first runs some seconds after start; this publishes once as soon as the host has
/// started (silo and Kestrel up), so the first probes already get an answer.
/// </summary>
internal sealed class HealthPrimer(HealthCheckService checks, IEnumerable<IHealthCheckPublisher> publishers) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        foreach (var publisher in publishers)
        {
            await publisher.PublishAsync(report, cancellationToken);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
