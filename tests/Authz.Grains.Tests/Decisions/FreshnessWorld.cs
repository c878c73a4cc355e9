using Authz.Policy.Evaluation;

namespace Authz.Grains.Tests.Decisions;

/// <summary>The kinds of write that change what a principal may do (issue 4, item 3).</summary>
public enum WriteKind
{
    /// <summary>A new default version of a managed policy attached to the user.</summary>
    ManagedPolicyVersion,
    /// <summary>A new default version of a managed policy attached to the user's group.</summary>
    ManagedPolicyVersionThroughGroup,
    /// <summary>The user leaves the group that grants.</summary>
    GroupMembership,
    /// <summary>A permissions boundary that does not allow the action.</summary>
    PermissionsBoundary,
    /// <summary>A tenant guardrail that denies the action.</summary>
    Guardrail,
    /// <summary>A resource policy that denies the user.</summary>
    ResourcePolicy,
    /// <summary>An inline Deny on the user.</summary>
    InlinePolicy,
    /// <summary>A world in which every kind can be toggled (for the staleness measurement).</summary>
    All,
}

/// <summary>
/// A tenant in which user alice may read <see cref="Object"/>, set up so that one write of a <see cref="WriteKind"/>
/// takes the Allow away and (for <see cref="WriteKind.All"/>) another gives it back.
/// </summary>
internal sealed class World
{
    /// <summary>The kinds the staleness measurement toggles (a version change of a policy the user has through a group).</summary>
    public static readonly WriteKind[] Toggles =
    [
        WriteKind.ManagedPolicyVersionThroughGroup, WriteKind.GroupMembership, WriteKind.PermissionsBoundary, WriteKind.Guardrail,
        WriteKind.ResourcePolicy, WriteKind.InlinePolicy,
    ];

    private World(string tenant, WriteKind kind, string policyArn, string capArn, ulong revision)
    {
        Tenant = tenant;
        Kind = kind;
        PolicyArn = policyArn;
        CapArn = capArn;
        Revision = revision;
    }

    public string Tenant { get; }

    public WriteKind Kind { get; }

    /// <summary>Managed policy <c>p</c>: v1 allows the read, v2 only writes.</summary>
    public string PolicyArn { get; }

    /// <summary>Managed policy <c>cap</c>, a boundary that allows writes only.</summary>
    public string CapArn { get; }

    /// <summary>The revision after the setup.</summary>
    public ulong Revision { get; }

    public string Alice => $"arn:aws:iam::{Tenant}:user/alice";

    public string Bucket => $"arn:aws:s3:::fresh-{Tenant}";

    public string Object => Bucket + "/x.csv";

    /// <summary>The decision once <see cref="RevokeAsync(IGrainFactory)"/> has run.</summary>
    public Decision Revoked => RevokedBy(Kind);

    public static Decision RevokedBy(WriteKind kind) =>
        kind is WriteKind.Guardrail or WriteKind.ResourcePolicy or WriteKind.InlinePolicy ? Decision.ExplicitDeny : Decision.ImplicitDeny;

    public static async Task<World> CreateAsync(IGrainFactory grains, WriteKind kind)
    {
        var t = ThreeSiloCluster.NewTenantId();
        await grains.GetTenantLifecycle(t).Create("freshness");
        var p = (await grains.GetManagedPolicy(t, "p").Create(new CreatePolicyCommand { PolicyName = "p", Document = Documents.Allow("s3:GetObject") })).Policy.Arn;
        var cap = (await grains.GetManagedPolicy(t, "cap").Create(new CreatePolicyCommand { PolicyName = "cap", Document = Documents.Allow("s3:PutObject") })).Policy.Arn;
        var user = grains.GetUser(t, "alice");
        var revision = (await user.Create(new CreateUserCommand { UserName = "alice" })).Revision;
        switch (kind)
        {
            case WriteKind.ManagedPolicyVersion:
                revision = await user.AttachPolicy(p);
                break;
            case WriteKind.ManagedPolicyVersionThroughGroup or WriteKind.All:
                await grains.GetGroup(t, "g").Create("g", "/");
                await grains.GetGroup(t, "g").AttachPolicy(p);
                revision = await user.AddToGroup("g");
                if (kind == WriteKind.All)
                {
                    revision = (await grains.GetManagedPolicy(p).CreateVersion(p, Documents.Allow("s3:PutObject"), setAsDefault: false)).Revision;
                }

                break;
            case WriteKind.GroupMembership:
                await grains.GetGroup(t, "g").Create("g", "/");
                await grains.GetGroup(t, "g").PutInlinePolicy("read", Documents.Allow("s3:GetObject"));
                revision = await user.AddToGroup("g");
                break;
            default:
                revision = await user.PutInlinePolicy("read", Documents.Allow("s3:GetObject"));
                break;
        }

        return new World(t, kind, p, cap, revision);
    }

    /// <summary>Takes the Allow away with this world's kind of write; returns the write's revision.</summary>
    public Task<ulong> RevokeAsync(IGrainFactory grains) => RevokeAsync(grains, Kind);

    public async Task<ulong> RevokeAsync(IGrainFactory grains, WriteKind kind)
    {
        var user = grains.GetUser(Tenant, "alice");
        return kind switch
        {
            WriteKind.ManagedPolicyVersion or WriteKind.ManagedPolicyVersionThroughGroup when Kind != WriteKind.All =>
                (await grains.GetManagedPolicy(PolicyArn).CreateVersion(PolicyArn, Documents.Allow("s3:PutObject"), setAsDefault: true)).Revision,
            WriteKind.ManagedPolicyVersion or WriteKind.ManagedPolicyVersionThroughGroup => await grains.GetManagedPolicy(PolicyArn).SetDefaultVersion(PolicyArn, "v2"),
            WriteKind.GroupMembership => await user.RemoveFromGroup("g"),
            WriteKind.PermissionsBoundary => await user.PutPermissionsBoundary(CapArn),
            WriteKind.Guardrail => await grains.GetTenant(Tenant).PutGuardrail("block",
                $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"{{Object}}"}]}"""),
            WriteKind.ResourcePolicy => await grains.GetResource(Bucket).PutPolicy(Tenant,
                $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"{{Alice}}"},"Action":"s3:GetObject","Resource":"{{Bucket}}/*"}]}"""),
            WriteKind.InlinePolicy => await user.PutInlinePolicy("deny", Documents.Deny("s3:GetObject")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>Gives the Allow back after <see cref="RevokeAsync(IGrainFactory, WriteKind)"/> (in the <see cref="WriteKind.All"/> world).</summary>
    public async Task<ulong> RestoreAsync(IGrainFactory grains, WriteKind kind)
    {
        var user = grains.GetUser(Tenant, "alice");
        return kind switch
        {
            WriteKind.ManagedPolicyVersion or WriteKind.ManagedPolicyVersionThroughGroup => await grains.GetManagedPolicy(PolicyArn).SetDefaultVersion(PolicyArn, "v1"),
            WriteKind.GroupMembership => await user.AddToGroup("g"),
            WriteKind.PermissionsBoundary => await user.DeletePermissionsBoundary(),
            WriteKind.Guardrail => await grains.GetTenant(Tenant).DeleteGuardrail("block"),
            WriteKind.ResourcePolicy => await grains.GetResource(Bucket).DeletePolicy(Tenant),
            WriteKind.InlinePolicy => await user.DeleteInlinePolicy("deny"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
