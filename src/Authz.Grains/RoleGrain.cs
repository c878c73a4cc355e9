using Authz.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// A role: its trust policy (who may assume it), tags, inline and attached policies and boundary, all owned here.
/// Role sessions (<c>assumed-role/...</c>) evaluate as the role.
/// </summary>
[GrainType("authz.role")]
public sealed class RoleGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<RoleState> state,
    IOptions<AuthzQuotaOptions> quotas,
    PolicySetCompiler compiler,
    IAuditTrail audit,
    ILogger<RoleGrain> logger)
    : PrincipalGrain<RoleState>(state, quotas, compiler, audit, logger), IRoleGrain
{
    protected override EntityKind Kind => EntityKind.Role;

    protected override int CurrentSchema => RoleState.CurrentSchema;

    protected override int InlinePolicyCharacters => Quotas.RoleInlinePolicyCharacters;

    protected override SnapshotDocument? TrustPolicy => Store.State.Identity is { } identity
        ? new SnapshotDocument { Id = ArnOf(identity), Kind = DocumentKind.Trust, Origin = DocumentOrigin.TrustPolicy, Json = Store.State.TrustPolicy }
        : null;

    protected override string ArnOf(IdentityState identity) => GrainKeys.RoleArn(TenantId, identity.Path, identity.Name);

    async Task<RoleCreated> IRoleGrain.Create(CreateRoleCommand command)
    {
        if (Store.State.Identity is { } existing)
        {
            throw AdminException.AlreadyExists(Noun, existing.Name);
        }

        var arn = GrainKeys.RoleArn(TenantId, command.Path, command.RoleName);
        PolicyDocumentRules.CompileForWrite(command.AssumeRolePolicyDocument, DocumentKind.Trust, arn, null, Quotas.TrustPolicyCharacters, "assume_role_policy_document");
        CheckTagQuota(command.Tags.Length, Quotas.TagsPerEntity, arn);
        var identity = new IdentityState
        {
            Name = command.RoleName,
            Id = UniqueIds.New(UniqueIds.RolePrefix),
            Path = command.Path,
            CreateDate = DateTimeOffset.UtcNow,
            Tags = ToState(command.Tags),
        };
        await ReserveAsync(identity.Name, identity.Path);
        if (command.PermissionsBoundaryArn is { } boundary)
        {
            var policy = await GrainFactory.GetManagedPolicy(boundary).AddAttachment(boundary, AttachmentOf(identity, PolicyUsage.PermissionsBoundary));
            identity = identity with { PermissionsBoundaryArn = policy.PolicyArn };
        }

        var next = new RoleState
        {
            Identity = identity,
            TrustPolicy = command.AssumeRolePolicyDocument,
            Description = command.Description,
            MaxSessionDuration = command.MaxSessionDuration == 0 ? AdminNames.DefaultMaxSessionDuration : command.MaxSessionDuration,
        };
        var revision = await CommitAsync(next);
        return new RoleCreated { Role = Info(next, identity), Revision = revision };
    }

    Task<RoleInfo> IRoleGrain.Get() => Task.FromResult(Info(Store.State, Identity));

    async Task<ulong> IRoleGrain.UpdateAssumeRolePolicy(string document)
    {
        var identity = Identity;
        PolicyDocumentRules.CompileForWrite(document, DocumentKind.Trust, ArnOf(identity), null, Quotas.TrustPolicyCharacters);
        return await CommitAsync(Store.State with { TrustPolicy = document });
    }

    async Task<ulong> IRoleGrain.Delete()
    {
        var identity = Identity;
        CheckNoPolicies(identity);
        if (identity.PermissionsBoundaryArn is { } boundary)
        {
            throw DeleteConflict(identity, $"a permissions boundary (`{boundary}`)");
        }

        return await CommitAsync(new RoleState(), Removal);
    }

    private RoleInfo Info(RoleState role, IdentityState identity) => new()
    {
        TenantId = TenantId,
        RoleName = identity.Name,
        RoleId = identity.Id,
        Arn = ArnOf(identity),
        Path = identity.Path,
        CreateDate = identity.CreateDate,
        AssumeRolePolicyDocument = role.TrustPolicy,
        Description = role.Description,
        MaxSessionDuration = role.MaxSessionDuration,
        Tags = ToEntries(identity.Tags),
        PermissionsBoundaryArn = identity.PermissionsBoundaryArn,
    };
}
