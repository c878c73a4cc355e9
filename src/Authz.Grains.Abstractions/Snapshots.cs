using System.Collections.Immutable;

namespace Authz.Grains;

// Snapshots: what the decision path reads from grains. They carry policy documents as text, not compiled engine
// objects, because those cannot cross silos: each silo compiles and caches them (see Authz.Grains.PolicySetCompiler).

/// <summary>The role a stored document plays in an evaluation (the engine's policy types that grains store).</summary>
public enum DocumentKind
{
    Identity,
    PermissionsBoundary,
    Guardrail,
    Resource,
    Trust,
}

/// <summary>Where a document in a principal's snapshot comes from.</summary>
public enum DocumentOrigin
{
    /// <summary>An inline policy of the principal itself.</summary>
    Inline,
    /// <summary>A managed policy attached to the principal.</summary>
    Managed,
    /// <summary>An inline policy of one of the user's groups (<see cref="SnapshotDocument.OwnerName"/>).</summary>
    GroupInline,
    /// <summary>A managed policy attached to one of the user's groups (<see cref="SnapshotDocument.OwnerName"/>).</summary>
    GroupManaged,
    /// <summary>The principal's permissions boundary.</summary>
    PermissionsBoundary,
    /// <summary>A tenant guardrail.</summary>
    Guardrail,
    /// <summary>A resource policy.</summary>
    ResourcePolicy,
    /// <summary>A role's trust policy.</summary>
    TrustPolicy,
}

/// <summary>One policy document as stored, with what it is and where it comes from.</summary>
[GenerateSerializer, Immutable, Alias("authz.snapshot-document.v1")]
public sealed record SnapshotDocument
{
    /// <summary>The policy id the engine reports: a managed policy ARN, an inline policy or guardrail name, a resource ARN.</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary>The managed policy version (<c>v3</c>); null for other documents.</summary>
    [Id(1)] public string? VersionId { get; init; }
    [Id(2)] public required DocumentKind Kind { get; init; }
    [Id(3)] public required DocumentOrigin Origin { get; init; }
    /// <summary>For group documents, the group's name; otherwise null.</summary>
    [Id(4)] public string? OwnerName { get; init; }
    /// <summary>The JSON text as written; stored documents are re-compiled leniently.</summary>
    [Id(5)] public required string Json { get; init; }
}

/// <summary>
/// Everything the decision path needs about one principal (user or role), valid as of <see cref="Revision"/>: every
/// admin write of the tenant acknowledged with a revision at or below it is reflected.
/// </summary>
[GenerateSerializer, Immutable, Alias("authz.principal-snapshot.v1")]
public sealed record PrincipalSnapshot
{
    [Id(0)] public required string TenantId { get; init; }
    /// <summary><see cref="EntityKind.User"/> or <see cref="EntityKind.Role"/>.</summary>
    [Id(1)] public required EntityKind Kind { get; init; }
    /// <summary>False when the principal or its tenant does not exist; the decision path answers implicit deny.</summary>
    [Id(2)] public bool Exists { get; init; }
    /// <summary>The name as written (<c>aws:username</c> for users).</summary>
    [Id(3)] public string Name { get; init; } = "";
    /// <summary>The unique id (<c>aws:userid</c>): <c>AIDA...</c> or <c>AROA...</c>.</summary>
    [Id(4)] public string Id { get; init; } = "";
    /// <summary>The principal's ARN (<c>aws:PrincipalArn</c>).</summary>
    [Id(5)] public string Arn { get; init; } = "";
    [Id(6)] public string Path { get; init; } = "/";
    /// <summary>The principal's tags (<c>aws:PrincipalTag/*</c>).</summary>
    [Id(7)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    /// <summary>
    /// Identity documents (own inline and managed, the groups' inline and managed), then the permissions boundary, then
    /// the tenant guardrails, in a stable order.
    /// </summary>
    [Id(8)] public ImmutableArray<SnapshotDocument> Documents { get; init; } = [];
    /// <summary>For a role, its trust policy (the resource policy of the role ARN for <c>sts:AssumeRole*</c>).</summary>
    [Id(9)] public SnapshotDocument? TrustPolicy { get; init; }
    /// <summary>The tenant revision this snapshot is valid at.</summary>
    [Id(10)] public ulong Revision { get; init; }
    /// <summary>The tenant revision at which the guardrails last changed; equal snapshots share the guardrail level(s).</summary>
    [Id(11)] public ulong GuardrailsRevision { get; init; }
}

/// <summary>What every principal snapshot of a tenant shares: existence, revision and guardrails.</summary>
[GenerateSerializer, Immutable, Alias("authz.tenant-basis.v1")]
public sealed record TenantBasis
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public bool Exists { get; init; }
    /// <summary>The tenant's current revision.</summary>
    [Id(2)] public ulong Revision { get; init; }
    /// <summary>The revision at which the guardrails last changed.</summary>
    [Id(3)] public ulong GuardrailsRevision { get; init; }
    /// <summary>The guardrail documents by name.</summary>
    [Id(4)] public ImmutableArray<SnapshotDocument> Guardrails { get; init; } = [];
}

/// <summary>One registered resource ARN: owner, tags and its own resource policy.</summary>
[GenerateSerializer, Immutable, Alias("authz.resource-snapshot.v1")]
public sealed record ResourceSnapshot
{
    [Id(0)] public required string ResourceArn { get; init; }
    /// <summary>False when the ARN is not registered.</summary>
    [Id(1)] public bool Registered { get; init; }
    /// <summary>The owner tenant (<c>aws:ResourceAccount</c>); null when not registered.</summary>
    [Id(2)] public string? OwnerTenantId { get; init; }
    /// <summary><c>aws:ResourceTag/*</c>.</summary>
    [Id(3)] public ImmutableArray<TagEntry> Tags { get; init; } = [];
    /// <summary>The resource policy on exactly this ARN, or null.</summary>
    [Id(4)] public SnapshotDocument? Policy { get; init; }
    /// <summary>The owner tenant's revision this snapshot is valid at; 0 when not registered.</summary>
    [Id(5)] public ulong Revision { get; init; }
}

/// <summary>An ARN registered in a resource tree.</summary>
[GenerateSerializer, Immutable, Alias("authz.resource-tree-entry.v1")]
public sealed record ResourceTreeEntry
{
    [Id(0)] public required string ResourceArn { get; init; }
    [Id(1)] public required string OwnerTenantId { get; init; }
    /// <summary>
    /// Whether the ARN may hold a resource policy. The tree is written before the resource on put and after it on delete,
    /// so this is a superset: the resource grain has the last word.
    /// </summary>
    [Id(2)] public bool MayHavePolicy { get; init; }
}

/// <summary>
/// The registered ARNs under one tree key (the ARN up to its first <c>/</c>), in ordinal order. The decision path finds
/// the nearest governing policy with <see cref="PolicyHolders"/> and asks those resource grains, nearest first.
/// </summary>
[GenerateSerializer, Immutable, Alias("authz.resource-tree-view.v1")]
public sealed record ResourceTreeView
{
    [Id(0)] public required string Root { get; init; }
    [Id(1)] public ImmutableArray<ResourceTreeEntry> Entries { get; init; } = [];
    /// <summary>Increases on every change, for caches.</summary>
    [Id(2)] public long Version { get; init; }

    /// <summary>The registered ARN itself or its nearest registered ancestor, or null.</summary>
    public ResourceTreeEntry? FindRegistered(string resourceArn) => IndexOfRegistered(resourceArn) is var index and >= 0 ? Entries[index] : null;

    /// <summary>
    /// The index in <see cref="Entries"/> of the registered ARN itself or its nearest registered ancestor, or -1. Copies
    /// nothing: the decision path calls it for every check.
    /// </summary>
    public int IndexOfRegistered(string resourceArn)
    {
        for (var candidate = resourceArn.AsSpan(); ;)
        {
            var index = IndexOf(candidate);
            if (index >= 0)
            {
                return index;
            }

            var slash = candidate.LastIndexOf('/');
            if (slash <= 0)
            {
                return -1;
            }

            candidate = candidate[..slash];
        }
    }

    /// <summary><paramref name="resourceArn"/> and its ancestors that may hold a resource policy, nearest first.</summary>
    public IEnumerable<ResourceTreeEntry> PolicyHolders(string resourceArn)
    {
        foreach (var candidate in GrainKeys.SelfAndAncestors(resourceArn))
        {
            if (IndexOf(candidate) is var index and >= 0 && Entries[index].MayHavePolicy)
            {
                yield return Entries[index];
            }
        }
    }

    private int IndexOf(ReadOnlySpan<char> arn)
    {
        int lo = 0, hi = Entries.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Entries[mid].ResourceArn.AsSpan().SequenceCompareTo(arn);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }
}

/// <summary>What a group contributes to its members' snapshots.</summary>
[GenerateSerializer, Immutable, Alias("authz.group-policies.v1")]
public sealed record GroupPolicies
{
    [Id(0)] public required string GroupName { get; init; }
    [Id(1)] public ImmutableArray<SnapshotDocument> Inline { get; init; } = [];
    [Id(2)] public ImmutableArray<string> ManagedPolicyArns { get; init; } = [];
}

/// <summary>
/// A description of the compiled policy set a principal grain holds (compiled objects stay in their silo): the
/// revision it is valid at and the policies in it as <c>id</c> or <c>id@version</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("authz.compiled-set-summary.v1")]
public sealed record CompiledSetSummary
{
    [Id(0)] public ulong Revision { get; init; }
    [Id(1)] public ImmutableArray<string> Identity { get; init; } = [];
    [Id(2)] public ImmutableArray<string> Boundaries { get; init; } = [];
    /// <summary>One entry per guardrail level, the policies of that level joined by <c>,</c>.</summary>
    [Id(3)] public ImmutableArray<string> GuardrailLevels { get; init; } = [];
    /// <summary>How many times the grain compiled a set since activation (rebuilds after invalidation).</summary>
    [Id(4)] public int Builds { get; init; }
}
