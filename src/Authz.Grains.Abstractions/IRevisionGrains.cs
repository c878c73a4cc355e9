using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>
/// A silo's decision cache, told when a tenant's revision moves so that it revalidates what it holds for that tenant.
/// Notifications are best effort: a lost one is bounded by the cache's maximum entry age, and <c>min_revision</c>
/// checks never depend on them.
/// </summary>
public interface IRevisionObserver : IGrainObserver
{
    /// <summary>The tenant's revision is now at least <paramref name="revision"/>.</summary>
    [OneWay, Alias("OnRevision")]
    Task OnRevision(string tenantId, ulong revision);

    /// <summary>
    /// The tenant's revision is now at least <paramref name="revision"/>, committed at <paramref name="committedAtUtc"/>
    /// (the tenant grain's clock), so the observer can measure how late it learns of writes.
    /// </summary>
    [OneWay, Alias("OnRevisionAt")]
    Task OnRevisionAt(string tenantId, ulong revision, DateTime committedAtUtc);
}

/// <summary>
/// Fans tenant revision changes out to every silo's decision cache. One activation per cluster (key 0); observers
/// re-subscribe periodically, so a hub that moves to another silo is repopulated within one renewal period.
/// </summary>
[Alias("authz.revision-hub")]
public interface IRevisionHubGrain : IGrainWithIntegerKey
{
    /// <summary>Registers or renews an observer.</summary>
    [Alias("Subscribe")] Task Subscribe(IRevisionObserver observer);

    /// <summary>Removes an observer (on silo shutdown).</summary>
    [Alias("Unsubscribe")] Task Unsubscribe(IRevisionObserver observer);

    /// <summary>Tells every observer that <paramref name="tenantId"/> is at <paramref name="revision"/>.</summary>
    [OneWay, Alias("Publish")] Task Publish(string tenantId, ulong revision);

    /// <summary>
    /// Tells every observer that <paramref name="tenantId"/> is at <paramref name="revision"/>, committed at
    /// <paramref name="committedAtUtc"/>. <see cref="Publish"/> stays for silos of earlier builds.
    /// </summary>
    [OneWay, Alias("PublishAt")] Task PublishAt(string tenantId, ulong revision, DateTime committedAtUtc);
}
