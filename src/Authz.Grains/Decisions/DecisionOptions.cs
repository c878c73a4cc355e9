namespace Authz.Grains.Decisions;

/// <summary>Settings of the decision path (<c>Authz:Decisions</c>).</summary>
public sealed class DecisionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Authz:Decisions";

    /// <summary>
    /// How long a cached principal or resource is used without revalidation when no revision notification arrives.
    /// It bounds staleness if a notification is lost; normally notifications revalidate entries within milliseconds.
    /// </summary>
    public TimeSpan MaxEntryAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each silo renews its subscription with the revision hub.</summary>
    public TimeSpan ObserverRenewal { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How many principals a silo keeps compiled; a load beyond it starts the cache over. It bounds the principal ARNs a
    /// silo keeps parsed and bound to their entries as well.
    /// </summary>
    public int MaxPrincipals { get; set; } = 200_000;

    /// <summary>
    /// How many resource trees (a tenant's view of the ARNs up to a first <c>/</c>, such as one bucket) a silo keeps
    /// resolved; a load beyond it starts the cache over.
    /// </summary>
    public int MaxResources { get; set; } = 200_000;
}
