using Orleans.Runtime;
using Orleans.Storage;

namespace Authz.Grains.State;

/// <summary>The one way grains commit state: all or nothing, in memory as in storage.</summary>
internal static class StateWrites
{
    /// <summary>
    /// Replaces the state with <paramref name="next"/> and writes it. When the write fails, the in-memory state goes
    /// back to what it was, so a rejected or failed write changes nothing the grain serves. An ETag conflict (another
    /// activation wrote) deactivates the grain so the next call reloads, and is reported as Aborted.
    /// </summary>
    public static async Task SaveAsync<T>(IPersistentState<T> state, T next, IGrainBase grain)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            state.State = previous;
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "stale state"));
            throw AdminException.Aborted(grain.GrainContext.GrainId.ToString());
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    /// <summary>
    /// Writes an admin change of an entity like <see cref="SaveAsync{T}"/>, with the call's audit record in the same
    /// transaction. Returns the record's id, for the tenant's revision bump to complete (0 when the call is not audited).
    /// </summary>
    public static async Task<long> SaveChangeAsync<T>(IPersistentState<T> state, T next, IGrainBase grain, IAuditTrail audit, string tenantId)
    {
        using var record = audit.EnlistChange(tenantId);
        await SaveAsync(state, next, grain);
        return record?.EventId ?? 0;
    }

    /// <summary>Refuses state written by a newer build.</summary>
    public static void CheckSchema(IVersionedState state, int current, IGrainBase grain)
    {
        if (state.SchemaVersion > current)
        {
            throw new InvalidOperationException(
                $"state of grain `{grain.GrainContext.GrainId}` has schema {state.SchemaVersion}; this build reads up to {current}");
        }
    }
}
