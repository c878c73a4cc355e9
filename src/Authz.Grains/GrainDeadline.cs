using Orleans.Runtime;

namespace Authz.Grains;

/// <summary>
/// A caller's deadline, carried to the grain it calls in the Orleans <see cref="RequestContext"/> (so it crosses silos).
/// The grain that receives the call refuses to start it once the deadline has passed (<see cref="GrainDeadlineFilter"/>);
/// a call it has started runs to completion, and the grains it calls in turn do not see the deadline. So an admin write
/// whose caller gave up either never starts or commits fully: the multi-grain write protocol is never cut in half.
/// </summary>
public static class GrainDeadline
{
    /// <summary>The request context key; the value is the deadline in UTC ticks.</summary>
    public const string Key = "authz.deadline";

    /// <summary>Carries <paramref name="deadlineUtc"/> with the grain calls made from the current async flow.</summary>
    public static void Set(DateTime deadlineUtc) => RequestContext.Set(Key, deadlineUtc.ToUniversalTime().Ticks);
}

/// <summary>Refuses a grain call whose <see cref="GrainDeadline"/> has passed, before the grain runs any of it.</summary>
public sealed class GrainDeadlineFilter(TimeProvider clock) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(GrainDeadline.Key) is not long deadline)
        {
            return context.Invoke();
        }

        // The grains this call calls must finish what it starts, whatever the time.
        RequestContext.Remove(GrainDeadline.Key);
        return clock.GetUtcNow().UtcTicks >= deadline
            ? throw AdminException.DeadlineExceeded(context.TargetId.ToString())
            : context.Invoke();
    }
}
