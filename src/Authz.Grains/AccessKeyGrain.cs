using System.Collections.Immutable;
using Authz.Grains.State;
using Orleans.Runtime;

namespace Authz.Grains;

/// <summary>
/// One access key. Holds only the salted hash of the secret; verification (PBKDF2 and a constant-time compare) runs in
/// the gRPC layer, which is the only place a secret ever exists.
/// </summary>
[GrainType("authz.access-key")]
public sealed class AccessKeyGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<AccessKeyState> state,
    IAuditTrail audit) : Grain, IAccessKeyGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, AccessKeyState.CurrentSchema, this);
        return Task.CompletedTask;
    }

    async Task IAccessKeyGrain.Create(AccessKeyRecord record)
    {
        if (state.State.Exists)
        {
            throw AdminException.AlreadyExists("access key", record.AccessKeyId);
        }

        await SaveAsync(record.TenantId, new AccessKeyState
        {
            Exists = true,
            TenantId = record.TenantId,
            PrincipalKind = record.PrincipalKind,
            PrincipalName = record.PrincipalName,
            PrincipalArn = record.PrincipalArn,
            PrincipalId = record.PrincipalId,
            Salt = Convert.ToBase64String(record.Salt.AsSpan()),
            Hash = Convert.ToBase64String(record.Hash.AsSpan()),
            Iterations = record.Iterations,
            Status = record.Status,
            CreateDate = record.CreateDate,
        });
    }

    Task<AccessKeyRecord?> IAccessKeyGrain.Get() => Task.FromResult(state.State.Exists ? Record(state.State) : null);

    async Task<AccessKeyRecord> IAccessKeyGrain.SetStatus(string tenantId, AccessKeyStatus status)
    {
        var current = Owned(tenantId);
        if (current.Status != status)
        {
            await SaveAsync(tenantId, current with { Status = status });
        }

        return Record(state.State);
    }

    async Task<AccessKeyRecord> IAccessKeyGrain.Delete(string tenantId)
    {
        var record = Record(Owned(tenantId));
        await SaveAsync(tenantId, new AccessKeyState());
        return record;
    }

    /// <summary>Key changes do not advance the tenant revision; their audit records carry revision 0 before and after.</summary>
    private async Task SaveAsync(string tenantId, AccessKeyState next)
    {
        using (audit.Enlist(tenantId, 0, 0))
        {
            await StateWrites.SaveAsync(state, next, this);
        }
    }

    /// <summary>The key when it exists in <paramref name="tenantId"/>; another tenant's key is reported as missing.</summary>
    private AccessKeyState Owned(string tenantId) =>
        state.State is { Exists: true } s && s.TenantId == tenantId ? s : throw AdminException.NotFound("access key", this.GetPrimaryKeyString());

    private AccessKeyRecord Record(AccessKeyState s) => new()
    {
        AccessKeyId = this.GetPrimaryKeyString(),
        TenantId = s.TenantId,
        PrincipalKind = s.PrincipalKind,
        PrincipalName = s.PrincipalName,
        PrincipalArn = s.PrincipalArn,
        PrincipalId = s.PrincipalId,
        Salt = ImmutableArray.Create(Convert.FromBase64String(s.Salt)),
        Hash = ImmutableArray.Create(Convert.FromBase64String(s.Hash)),
        Iterations = s.Iterations,
        Status = s.Status,
        CreateDate = s.CreateDate,
    };
}

/// <summary>The access key ids of one user or role.</summary>
[GrainType("authz.access-key-list")]
public sealed class AccessKeyListGrain(
    [PersistentState(AuthzGrainStorage.StateName, AuthzGrainStorage.ProviderName)] IPersistentState<AccessKeyListState> state) : Grain, IAccessKeyListGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StateWrites.CheckSchema(state.State, AccessKeyListState.CurrentSchema, this);
        return Task.CompletedTask;
    }

    Task IAccessKeyListGrain.Add(string accessKeyId, int quota)
    {
        var ids = state.State.AccessKeyIds;
        var i = ids.BinarySearch(accessKeyId, StringComparer.Ordinal);
        if (i >= 0)
        {
            return Task.CompletedTask;
        }

        if (ids.Length >= quota)
        {
            throw AdminException.Quota(AdminErrorKinds.AccessKeysPerPrincipal, this.GetPrimaryKeyString(),
                $"the principal already has {ids.Length} access keys, the quota");
        }

        return StateWrites.SaveAsync(state, state.State with { AccessKeyIds = ids.Insert(~i, accessKeyId) }, this);
    }

    Task IAccessKeyListGrain.Remove(string accessKeyId)
    {
        var ids = state.State.AccessKeyIds;
        var i = ids.BinarySearch(accessKeyId, StringComparer.Ordinal);
        return i < 0 ? Task.CompletedTask : StateWrites.SaveAsync(state, state.State with { AccessKeyIds = ids.RemoveAt(i) }, this);
    }

    Task<ImmutableArray<string>> IAccessKeyListGrain.List() => Task.FromResult(state.State.AccessKeyIds);
}
