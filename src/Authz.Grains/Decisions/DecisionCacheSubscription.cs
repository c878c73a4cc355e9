using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains.Decisions;

/// <summary>
/// Keeps this silo's <see cref="DecisionCache"/> subscribed to the revision hub, renewing the subscription
/// periodically (the hub forgets observers that stop renewing, and a hub that moved silos starts empty).
/// </summary>
public sealed class DecisionCacheSubscription(IGrainFactory grains, DecisionCache cache, IOptions<DecisionOptions> options,
    ILogger<DecisionCacheSubscription> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<IRevisionObserver>(cache);
        var hub = grains.GetGrain<IRevisionHubGrain>(0);
        var logged = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = options.Value.ObserverRenewal;
                try
                {
                    await hub.Subscribe(reference);
                    if (!logged)
                    {
                        DecisionLog.Subscribed(logger);
                        logged = true;
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    DecisionLog.SubscribeFailed(logger, ex);
                    wait = TimeSpan.FromSeconds(1);
                }

                await Task.Delay(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                await hub.Unsubscribe(reference).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (Exception)
            {
                // Shutting down: the hub drops observers that stop renewing anyway.
            }

            grains.DeleteObjectReference<IRevisionObserver>(reference);
        }
    }
}
