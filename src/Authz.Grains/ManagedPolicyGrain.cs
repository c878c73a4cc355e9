using System.Collections.Immutable;
using Authz.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Authz.Grains;

/// <summary>
/// A managed policy: source of truth for its versions and default version. Its attachment list is a reverse index of
/// the users', groups' and roles' own lists, written before they commit a use and after they commit its removal, so it
/// is a superset: a delete checks each entry with its entity and drops the stale ones before deciding. A change of the
/// document in force invalidates every principal using it (groups pass it to their members) before the revision is
/// bumped.
/// </summary>
[GrainType("authz.managed-policy")]
public sealed class ManagedPolicyGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<ManagedPolicyState> state,
    IOptions<AuthzQuotaOptions> quotas,
    IAuditTrail audit,
    ILogger<ManagedPolicyGrain> logger) : Grain, IManagedPolicyGrain
{
    private const int FanOutBatch = 64;

    private string TenantId => GrainKeys.TenantOf(this.GetPrimaryKeyString());

    private ITenantGrain Tenant => GrainFactory.GetTenant(TenantId);

    private string Arn => GrainKeys.PolicyArn(TenantId, state.State.Path, state.State.Name!);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, ManagedPolicyState.CurrentSchema, this);
        return Task.CompletedTask;
    }

    async Task<PolicyCreated> IManagedPolicyGrain.Create(CreatePolicyCommand command)
    {
        if (state.State.Name is { } existing)
        {
            throw AdminException.AlreadyExists("policy", existing);
        }

        var arn = GrainKeys.PolicyArn(TenantId, command.Path, command.PolicyName);
        PolicyDocumentRules.CompileForWrite(command.Document, DocumentKind.Identity, arn, AdminNames.VersionId(1), quotas.Value.ManagedPolicyCharacters);
        await Tenant.Reserve(new DirectoryEntry { Kind = EntityKind.Policy, Key = command.PolicyName.ToLowerInvariant(), Name = command.PolicyName, Path = command.Path });
        var now = DateTimeOffset.UtcNow;
        var next = new ManagedPolicyState
        {
            Name = command.PolicyName,
            TenantId = TenantId,
            Id = UniqueIds.New(UniqueIds.PolicyPrefix),
            Path = command.Path,
            Description = command.Description,
            CreateDate = now,
            UpdateDate = now,
            DefaultVersion = 1,
            NextVersion = 2,
            Versions = [new PolicyVersionState { Number = 1, Document = command.Document, CreateDate = now }],
        };
        var revision = await Tenant.CommitRevision(null, await SaveChangeAsync(next));
        return new PolicyCreated { Policy = Info(), Revision = revision };
    }

    Task<PolicyInfo> IManagedPolicyGrain.Get(string policyArn)
    {
        CheckAddress(policyArn);
        return Task.FromResult(Info());
    }

    async Task<ulong> IManagedPolicyGrain.Delete(string policyArn)
    {
        CheckAddress(policyArn);

        // Entries whose entity does not confirm the use are leftovers of writes that never committed.
        var attachments = state.State.Attachments;
        var confirmed = await Task.WhenAll(attachments.Select(a => Holder(a).UsesPolicy(Arn, a.Usage)));
        var blocking = attachments.Where((_, i) => confirmed[i]).ToList();
        if (blocking.Count > 0)
        {
            var first = blocking[0];
            var how = first.Usage == PolicyUsage.PermissionsBoundary ? "used as the permissions boundary of" : "attached to";
            throw AdminException.Conflict(AdminErrorKinds.DeleteConflict, Arn,
                $"policy `{state.State.Name}` cannot be deleted while it is {how} {first.Kind.ToString().ToLowerInvariant()} `{first.Name}`"
                + (blocking.Count > 1 ? $" and {blocking.Count - 1} more" : ""));
        }

        foreach (var stale in attachments)
        {
            Log.StaleReferenceDropped(logger, $"{stale.Kind}:{stale.Name}", Arn);
        }

        var removal = new DirectoryRemoval { Kind = EntityKind.Policy, Key = state.State.Name!.ToLowerInvariant() };
        return await Tenant.CommitRevision(removal, await SaveChangeAsync(new ManagedPolicyState { NextVersion = state.State.NextVersion }));
    }

    async Task<PolicyVersionCreated> IManagedPolicyGrain.CreateVersion(string policyArn, string document, bool setAsDefault)
    {
        CheckAddress(policyArn);
        var number = state.State.NextVersion;
        PolicyDocumentRules.CompileForWrite(document, DocumentKind.Identity, Arn, AdminNames.VersionId(number), quotas.Value.ManagedPolicyCharacters);
        if (state.State.Versions.Length >= quotas.Value.VersionsPerPolicy)
        {
            throw AdminException.Quota(AdminErrorKinds.VersionsPerPolicy, Arn,
                $"policy `{state.State.Name}` already has {state.State.Versions.Length} versions, the quota; delete one first");
        }

        var now = DateTimeOffset.UtcNow;
        var version = new PolicyVersionState { Number = number, Document = document, CreateDate = now };
        var audited = await SaveChangeAsync(state.State with
        {
            Versions = state.State.Versions.Add(version),
            NextVersion = number + 1,
            DefaultVersion = setAsDefault ? number : state.State.DefaultVersion,
            UpdateDate = now,
        });
        if (setAsDefault)
        {
            await InvalidateUsersAsync();
        }

        var revision = await Tenant.CommitRevision(null, audited);
        return new PolicyVersionCreated { Version = ToInfo(version), Revision = revision };
    }

    Task<PolicyVersionInfo> IManagedPolicyGrain.GetVersion(string policyArn, string versionId)
    {
        CheckAddress(policyArn);
        return Task.FromResult(ToInfo(FindVersion(versionId)));
    }

    Task<ImmutableArray<PolicyVersionInfo>> IManagedPolicyGrain.ListVersions(string policyArn)
    {
        CheckAddress(policyArn);
        return Task.FromResult(state.State.Versions.OrderByDescending(v => v.Number).Select(ToInfo).ToImmutableArray());
    }

    async Task<ulong> IManagedPolicyGrain.SetDefaultVersion(string policyArn, string versionId)
    {
        CheckAddress(policyArn);
        var version = FindVersion(versionId);
        if (version.Number == state.State.DefaultVersion)
        {
            return await Tenant.GetRevision();
        }

        var audited = await SaveChangeAsync(state.State with { DefaultVersion = version.Number, UpdateDate = DateTimeOffset.UtcNow });
        await InvalidateUsersAsync();
        return await Tenant.CommitRevision(null, audited);
    }

    async Task<ulong> IManagedPolicyGrain.DeleteVersion(string policyArn, string versionId)
    {
        CheckAddress(policyArn);
        var version = FindVersion(versionId);
        if (version.Number == state.State.DefaultVersion)
        {
            throw AdminException.Conflict(AdminErrorKinds.DefaultVersion, $"{Arn}:{versionId}",
                $"version `{versionId}` of policy `{state.State.Name}` is the default version and cannot be deleted");
        }

        // Only the default version is ever in force, so deleting another one changes no principal's policy set.
        return await Tenant.CommitRevision(null, await SaveChangeAsync(state.State with { Versions = state.State.Versions.Remove(version), UpdateDate = DateTimeOffset.UtcNow }));
    }

    Task<ImmutableArray<PolicyAttachment>> IManagedPolicyGrain.ListEntities(string policyArn)
    {
        CheckAddress(policyArn);
        return Task.FromResult(state.State.Attachments.Select(ToInfo).ToImmutableArray());
    }

    async Task<AttachedPolicyRef> IManagedPolicyGrain.AddAttachment(string policyArn, PolicyAttachment attachment)
    {
        CheckAddress(policyArn);
        var record = ToState(attachment);
        if (!state.State.Attachments.Any(a => ToInfo(a).SameUse(attachment)))
        {
            var attachments = state.State.Attachments.Add(record)
                .Sort((a, b) => (a.Kind, a.Name.ToLowerInvariant(), a.Usage).CompareTo((b.Kind, b.Name.ToLowerInvariant(), b.Usage)));
            await StateWrites.SaveAsync(state, state.State with { Attachments = attachments }, this);
        }

        return new AttachedPolicyRef { PolicyName = state.State.Name!, PolicyArn = Arn };
    }

    async Task IManagedPolicyGrain.RemoveAttachment(string policyArn, PolicyAttachment attachment)
    {
        if (state.State.Name is null)
        {
            return;
        }

        var attachments = state.State.Attachments.RemoveAll(a => ToInfo(a).SameUse(attachment));
        if (attachments.Length != state.State.Attachments.Length)
        {
            await StateWrites.SaveAsync(state, state.State with { Attachments = attachments }, this);
        }
    }

    Task<SnapshotDocument> IManagedPolicyGrain.GetDefaultDocument(DocumentKind kind)
    {
        if (state.State.Name is null)
        {
            throw AdminException.NotFound("policy", this.GetPrimaryKeyString());
        }

        var version = state.State.Versions.First(v => v.Number == state.State.DefaultVersion);
        return Task.FromResult(new SnapshotDocument
        {
            Id = Arn,
            VersionId = AdminNames.VersionId(version.Number),
            Kind = kind,
            Origin = kind == DocumentKind.PermissionsBoundary ? DocumentOrigin.PermissionsBoundary : DocumentOrigin.Managed,
            Json = version.Document,
        });
    }

    async Task IPurgeableGrain.Purge(string tenantId)
    {
        if (state.State.Name is not null)
        {
            await StateWrites.SaveAsync(state, new ManagedPolicyState { NextVersion = state.State.NextVersion }, this);
        }
    }

    /// <summary>Invalidates every principal using the policy: users and roles directly, groups' members through the group.</summary>
    /// <summary>Commits an admin change of the policy with its audit record; returns the record's id for the revision bump.</summary>
    private Task<long> SaveChangeAsync(ManagedPolicyState next) => StateWrites.SaveChangeAsync(state, next, this, audit, TenantId);

    private async Task InvalidateUsersAsync()
    {
        foreach (var batch in state.State.Attachments.Chunk(FanOutBatch))
        {
            await Task.WhenAll(batch.Select(a => a.Kind switch
            {
                EntityKind.User => GrainFactory.GetUser(TenantId, a.Name).Invalidate(),
                EntityKind.Role => GrainFactory.GetRole(TenantId, a.Name).Invalidate(),
                EntityKind.Group => GrainFactory.GetGroup(TenantId, a.Name).InvalidateMembers(),
                _ => Task.CompletedTask,
            }));
        }
    }

    private IPolicyHolderGrain Holder(PolicyAttachmentState a) => a.Kind switch
    {
        EntityKind.User => GrainFactory.GetUser(TenantId, a.Name),
        EntityKind.Role => GrainFactory.GetRole(TenantId, a.Name),
        EntityKind.Group => GrainFactory.GetGroup(TenantId, a.Name),
        _ => throw new InvalidOperationException($"a policy cannot be attached to a {a.Kind}"),
    };

    /// <summary>NotFound unless the policy exists and <paramref name="policyArn"/> is its ARN (the path must match).</summary>
    private void CheckAddress(string policyArn)
    {
        if (state.State.Name is null
            || !GrainKeys.TryParsePolicyArn(policyArn, out var tenantId, out var path, out var name)
            || tenantId != TenantId
            || path != state.State.Path
            || !string.Equals(name, state.State.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw AdminException.NotFound("policy", policyArn);
        }
    }

    private PolicyVersionState FindVersion(string versionId) =>
        AdminNames.TryParseVersionId(versionId, out var number) && state.State.Versions.FirstOrDefault(v => v.Number == number) is { } version
            ? version
            : throw AdminException.NotFound($"version of policy `{state.State.Name}`", versionId);

    private PolicyInfo Info() => new()
    {
        TenantId = TenantId,
        PolicyName = state.State.Name!,
        PolicyId = state.State.Id,
        Arn = Arn,
        Path = state.State.Path,
        DefaultVersionId = AdminNames.VersionId(state.State.DefaultVersion),
        AttachmentCount = state.State.Attachments.Count(a => a.Usage == PolicyUsage.Attached),
        PermissionsBoundaryUsageCount = state.State.Attachments.Count(a => a.Usage == PolicyUsage.PermissionsBoundary),
        Description = state.State.Description,
        CreateDate = state.State.CreateDate,
        UpdateDate = state.State.UpdateDate,
    };

    private PolicyVersionInfo ToInfo(PolicyVersionState v) => new()
    {
        VersionId = AdminNames.VersionId(v.Number),
        Document = v.Document,
        IsDefaultVersion = v.Number == state.State.DefaultVersion,
        CreateDate = v.CreateDate,
    };

    private static PolicyAttachment ToInfo(PolicyAttachmentState a) => new() { Kind = a.Kind, Name = a.Name, Id = a.Id, Usage = a.Usage };

    private static PolicyAttachmentState ToState(PolicyAttachment a) => new() { Kind = a.Kind, Name = a.Name, Id = a.Id, Usage = a.Usage };
}
