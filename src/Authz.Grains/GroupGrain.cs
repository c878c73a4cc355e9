using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// A group: source of truth for its inline and attached policies. Its member list is a reverse index of the users'
/// group lists (the users are the truth): written before a user commits a membership and after it commits a removal.
/// A change to the group's policies invalidates every listed member before the revision is bumped.
/// </summary>
[GrainType("authz.group")]
public sealed class GroupGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<GroupState> state,
    IOptions<AuthzQuotaOptions> quotas,
    IAuditTrail audit,
    ILogger<GroupGrain> logger)
    : IdentityGrain<GroupState>(state, quotas, audit, logger), IGroupGrain
{
    private const int FanOutBatch = 64;

    protected override EntityKind Kind => EntityKind.Group;

    protected override int CurrentSchema => GroupState.CurrentSchema;

    protected override int InlinePolicyCharacters => Quotas.GroupInlinePolicyCharacters;

    protected override string ArnOf(IdentityState identity) => GrainKeys.GroupArn(TenantId, identity.Path, identity.Name);

    protected override Task OnChangedAsync() => InvalidateMembersAsync();

    async Task<GroupCreated> IGroupGrain.Create(string groupName, string path)
    {
        if (Store.State.Identity is { } existing)
        {
            throw AdminException.AlreadyExists(Noun, existing.Name);
        }

        var identity = new IdentityState
        {
            Name = groupName,
            Id = UniqueIds.New(UniqueIds.GroupPrefix),
            Path = path,
            CreateDate = DateTimeOffset.UtcNow,
        };
        await ReserveAsync(groupName, path);
        var revision = await CommitAsync(new GroupState { Identity = identity });
        return new GroupCreated { Group = Info(identity), Revision = revision };
    }

    Task<GroupInfo> IGroupGrain.Get() => Task.FromResult(Info(Identity));

    async Task<ulong> IGroupGrain.Delete()
    {
        var identity = Identity;
        CheckNoPolicies(identity);

        // The member list may hold users whose own write never committed; only users that agree block the delete.
        var members = Store.State.Members;
        var confirmed = await Task.WhenAll(members.Select(m => GrainFactory.GetUser(TenantId, m).IsMemberOf(identity.Name)));
        var first = members.Where((_, i) => confirmed[i]).FirstOrDefault();
        if (first is not null)
        {
            throw DeleteConflict(identity, $"members (`{first}`)");
        }

        foreach (var stale in members)
        {
            Log.StaleReferenceDropped(Logger, stale, ArnOf(identity));
        }

        return await CommitAsync(new GroupState(), Removal);
    }

    async Task<GroupInfo> IGroupGrain.AddMember(string userName)
    {
        var identity = Identity;
        if (!Store.State.Members.Any(m => string.Equals(m, userName, StringComparison.OrdinalIgnoreCase)))
        {
            var members = Store.State.Members.Add(userName).Sort((a, b) => string.CompareOrdinal(a.ToLowerInvariant(), b.ToLowerInvariant()));
            await StateWrites.SaveAsync(Store, Store.State with { Members = members }, this);
        }

        return Info(identity);
    }

    async Task IGroupGrain.RemoveMember(string userName)
    {
        var members = Store.State.Members.RemoveAll(m => string.Equals(m, userName, StringComparison.OrdinalIgnoreCase));
        if (members.Length != Store.State.Members.Length)
        {
            await StateWrites.SaveAsync(Store, Store.State with { Members = members }, this);
        }
    }

    Task<ImmutableArray<string>> IGroupGrain.ListMembers()
    {
        _ = Identity;
        return Task.FromResult(Store.State.Members);
    }

    Task<GroupPolicies> IGroupGrain.GetPolicies()
    {
        var identity = Identity;
        return Task.FromResult(new GroupPolicies
        {
            GroupName = identity.Name,
            Inline = [.. identity.InlinePolicies.Select(p => new SnapshotDocument
            {
                Id = p.Name,
                Kind = DocumentKind.Identity,
                Origin = DocumentOrigin.GroupInline,
                OwnerName = identity.Name,
                Json = p.Document,
            })],
            ManagedPolicyArns = [.. identity.AttachedPolicies.Select(p => p.PolicyArn)],
        });
    }

    Task IGroupGrain.InvalidateMembers() => InvalidateMembersAsync();

    /// <summary>Invalidates every member listed before or after an in-flight write.</summary>
    private async Task InvalidateMembersAsync()
    {
        var members = Store.State.Members.Union(Committing?.Members ?? [], StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var batch in members.Chunk(FanOutBatch))
        {
            await Task.WhenAll(batch.Select(m => GrainFactory.GetUser(TenantId, m).Invalidate()));
        }
    }

    private GroupInfo Info(IdentityState identity) => new()
    {
        TenantId = TenantId,
        GroupName = identity.Name,
        GroupId = identity.Id,
        Arn = ArnOf(identity),
        Path = identity.Path,
        CreateDate = identity.CreateDate,
    };
}
