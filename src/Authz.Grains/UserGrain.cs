using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// A user. Source of truth for its tags, inline policies, attached policies, boundary and group memberships; the
/// groups' member lists and the policies' attachment lists are reverse indexes of these.
/// </summary>
[GrainType("authz.user")]
public sealed class UserGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<UserState> state,
    IOptions<AuthzQuotaOptions> quotas,
    PolicySetCompiler compiler,
    IAuditTrail audit,
    ILogger<UserGrain> logger)
    : PrincipalGrain<UserState>(state, quotas, compiler, audit, logger), IUserGrain
{
    protected override EntityKind Kind => EntityKind.User;

    protected override int CurrentSchema => UserState.CurrentSchema;

    protected override int InlinePolicyCharacters => Quotas.UserInlinePolicyCharacters;

    protected override ImmutableArray<string> GroupNames => Store.State.Groups;

    protected override string ArnOf(IdentityState identity) => GrainKeys.UserArn(TenantId, identity.Path, identity.Name);

    async Task<UserCreated> IUserGrain.Create(CreateUserCommand command)
    {
        if (Store.State.Identity is { } existing)
        {
            throw AdminException.AlreadyExists(Noun, existing.Name);
        }

        CheckTagQuota(command.Tags.Length, Quotas.TagsPerEntity, GrainKeys.UserArn(TenantId, command.Path, command.UserName));
        var identity = new IdentityState
        {
            Name = command.UserName,
            Id = UniqueIds.New(UniqueIds.UserPrefix),
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

        var revision = await CommitAsync(new UserState { Identity = identity });
        return new UserCreated { User = Info(identity), Revision = revision };
    }

    Task<UserInfo> IUserGrain.Get() => Task.FromResult(Info(Identity));

    async Task<ulong> IUserGrain.Delete()
    {
        var identity = Identity;
        CheckNoPolicies(identity);
        if (identity.PermissionsBoundaryArn is { } boundary)
        {
            throw DeleteConflict(identity, $"a permissions boundary (`{boundary}`)");
        }

        if (Store.State.Groups.Length > 0)
        {
            throw DeleteConflict(identity, $"group memberships (`{Store.State.Groups[0]}`)");
        }

        return await CommitAsync(new UserState(), Removal);
    }

    async Task<ulong> IUserGrain.AddToGroup(string groupName)
    {
        var identity = Identity;
        if (IsMember(Store.State, groupName))
        {
            return await CurrentRevisionAsync();
        }

        if (Store.State.Groups.Length >= Quotas.GroupsPerUser)
        {
            throw AdminException.Quota(AdminErrorKinds.GroupsPerUser, ArnOf(identity),
                $"user `{identity.Name}` is already in {Store.State.Groups.Length} groups, the quota");
        }

        // The group records the member first: its list stays a superset of the users' own lists.
        var group = await GrainFactory.GetGroup(TenantId, groupName).AddMember(identity.Name);
        return await CommitAsync(Store.State with { Groups = Store.State.Groups.Add(group.GroupName) });
    }

    async Task<ulong> IUserGrain.RemoveFromGroup(string groupName)
    {
        var identity = Identity;
        var name = Store.State.Groups.FirstOrDefault(g => string.Equals(g, groupName, StringComparison.OrdinalIgnoreCase))
            ?? throw AdminException.NotFound($"group of user `{identity.Name}`", groupName);
        var audited = await SaveChangeAsync(Store.State with { Groups = Store.State.Groups.Remove(name) });
        await DropReverseReferenceAsync(() => GrainFactory.GetGroup(TenantId, name).RemoveMember(identity.Name), name);
        return await Tenant.CommitRevision(null, audited);
    }

    Task<ImmutableArray<string>> IUserGrain.ListGroups()
    {
        _ = Identity;
        return Task.FromResult(Store.State.Groups);
    }

    Task<bool> IUserGrain.IsMemberOf(string groupName) =>
        Task.FromResult(IsMember(Store.State, groupName) || (Committing is { } before && IsMember(before, groupName)));

    private static bool IsMember(UserState user, string groupName) =>
        user.Identity is not null && user.Groups.Any(g => string.Equals(g, groupName, StringComparison.OrdinalIgnoreCase));

    private UserInfo Info(IdentityState identity) => new()
    {
        TenantId = TenantId,
        UserName = identity.Name,
        UserId = identity.Id,
        Arn = ArnOf(identity),
        Path = identity.Path,
        CreateDate = identity.CreateDate,
        Tags = ToEntries(identity.Tags),
        PermissionsBoundaryArn = identity.PermissionsBoundaryArn,
    };
}
