using Microsoft.Extensions.Logging;

namespace Authz.Grains.Decisions;

/// <summary>
/// Keeps the silos' observers in memory (they renew every <see cref="DecisionOptions.ObserverRenewal"/>) and forwards
/// each published revision to all of them. Observers not renewed for three periods are dropped, so a dead silo's
/// observer does not linger.
/// </summary>
[GrainType("authz.revision-hub")]
public sealed class RevisionHubGrain(ILogger<RevisionHubGrain> logger, Microsoft.Extensions.Options.IOptions<DecisionOptions> options)
    : Grain, IRevisionHubGrain
{
    private readonly Dictionary<IRevisionObserver, DateTime> _observers = [];

    Task IRevisionHubGrain.Subscribe(IRevisionObserver observer)
    {
        _observers[observer] = DateTime.UtcNow;
        return Task.CompletedTask;
    }

    Task IRevisionHubGrain.Unsubscribe(IRevisionObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    Task IRevisionHubGrain.Publish(string tenantId, ulong revision) =>
        Forward(observer => observer.OnRevision(tenantId, revision));

    Task IRevisionHubGrain.PublishAt(string tenantId, ulong revision, DateTime committedAtUtc) =>
        Forward(observer => observer.OnRevisionAt(tenantId, revision, committedAtUtc));

    private Task Forward(Func<IRevisionObserver, Task> notify)
    {
        var expiry = DateTime.UtcNow - 3 * options.Value.ObserverRenewal;
        List<IRevisionObserver>? expired = null;
        foreach (var (observer, seen) in _observers)
        {
            if (seen < expiry)
            {
                (expired ??= []).Add(observer);
                continue;
            }

            try
            {
                // One-way: a slow or dead silo does not hold up the writer.
                notify(observer).Ignore();
            }
            catch (Exception ex)
            {
                DecisionLog.ObserverFailed(logger, ex);
                (expired ??= []).Add(observer);
            }
        }

        if (expired is not null)
        {
            foreach (var observer in expired)
            {
                _observers.Remove(observer);
            }
        }

        return Task.CompletedTask;
    }
}
