using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>
/// Everything that governs what one principal may do: its identity policies (own inline and managed, and its groups'),
/// its permissions boundary, and its tenant's guardrail levels. An immutable snapshot stamped with a revision.
/// </summary>
public sealed class PrincipalPolicySet
{
    /// <summary>Identity-based policies; an allow in any of them grants (subject to the gates).</summary>
    public ImmutableArray<CompiledPolicy> Identity { get; }
    /// <summary>Permissions boundaries; several are OR-ed. Empty: no boundary.</summary>
    public ImmutableArray<CompiledPolicy> Boundaries { get; }
    /// <summary>
    /// SCP-like guardrail levels, root first. Default (not empty): no guardrails apply. Every level must allow; a level
    /// with no policies allows nothing.
    /// </summary>
    public ImmutableArray<ImmutableArray<CompiledPolicy>> Guardrails { get; }
    /// <summary>The tenant revision the snapshot was built at.</summary>
    public ulong Revision { get; }

    /// <summary>One action index over the statements of every identity policy.</summary>
    internal ActionIndex IdentityIndex { get; }

    /// <summary>One action index over the statements of every boundary.</summary>
    internal ActionIndex BoundaryIndex { get; }

    /// <summary>Creates a snapshot.</summary>
    public PrincipalPolicySet(IEnumerable<CompiledPolicy> identity, IEnumerable<CompiledPolicy>? boundaries = null,
        ImmutableArray<ImmutableArray<CompiledPolicy>> guardrails = default, ulong revision = 0)
    {
        Identity = [.. identity];
        Boundaries = boundaries is null ? [] : [.. boundaries];
        Guardrails = guardrails;
        Revision = revision;
        IdentityIndex = new ActionIndex(Identity.SelectMany(p => p.Statements));
        BoundaryIndex = new ActionIndex(Boundaries.SelectMany(p => p.Statements));
        Check(Identity, PolicyType.Identity);
        Check(Boundaries, PolicyType.PermissionsBoundary);
        if (!guardrails.IsDefault)
            foreach (var level in guardrails)
                Check(level, PolicyType.Guardrail);
    }

    private PrincipalPolicySet(PrincipalPolicySet policies, ulong revision)
    {
        Identity = policies.Identity;
        Boundaries = policies.Boundaries;
        Guardrails = policies.Guardrails;
        IdentityIndex = policies.IdentityIndex;
        BoundaryIndex = policies.BoundaryIndex;
        Revision = revision;
    }

    /// <summary>
    /// The same policies stamped with <paramref name="revision"/>. The arrays and action indexes are shared, not rebuilt,
    /// so principals with the same attachments evaluate over the same objects (kept in the CPU's caches, built once).
    /// </summary>
    public PrincipalPolicySet WithRevision(ulong revision) => revision == Revision ? this : new(this, revision);

    /// <summary>A set with no policies at all.</summary>
    public static PrincipalPolicySet Empty { get; } = new([]);

    internal static void Check(ImmutableArray<CompiledPolicy> policies, PolicyType expected)
    {
        foreach (var p in policies)
            if (p.Type != expected)
                throw new ArgumentException($"policy `{p.Id}` is a {p.Type} policy where a {expected} policy is expected");
    }
}

/// <summary>
/// Everything that governs access to one resource: its resource policy (or its nearest ancestor's) and the resource
/// tenant's RCP-like guardrail levels. An immutable snapshot.
/// </summary>
public sealed class ResourcePolicySet
{
    /// <summary>The resource policy, or null.</summary>
    public CompiledPolicy? Policy { get; }
    /// <summary>RCP-like levels; a full-access allow is implied at every level, so only their denies matter.</summary>
    public ImmutableArray<ImmutableArray<CompiledPolicy>> Guardrails { get; }
    /// <summary>The tenant revision the snapshot was built at.</summary>
    public ulong Revision { get; }

    /// <summary>Creates a snapshot.</summary>
    public ResourcePolicySet(CompiledPolicy? policy, ImmutableArray<ImmutableArray<CompiledPolicy>> guardrails = default, ulong revision = 0)
    {
        if (policy is not null && policy.Type is not (PolicyType.Resource or PolicyType.Trust))
            throw new ArgumentException($"policy `{policy.Id}` is a {policy.Type} policy where a resource policy is expected");
        Policy = policy;
        Guardrails = guardrails;
        Revision = revision;
        if (!guardrails.IsDefault)
            foreach (var level in guardrails)
                PrincipalPolicySet.Check(level, PolicyType.ResourceGuardrail);
    }

    /// <summary>No resource policy and no guardrails.</summary>
    public static ResourcePolicySet Empty { get; } = new(null);
}
