using Authz.Grains;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Authz.Server.Limits;

/// <summary>
/// Honours the caller's deadline (the <c>grpc-timeout</c> header) end to end:
/// <list type="bullet">
/// <item>A call whose deadline has already passed is DEADLINE_EXCEEDED before it does anything.</item>
/// <item>The deadline's cancellation token reaches every wait of the check path (cache loads, min_revision waits).</item>
/// <item>An admin call carries its deadline to the grain it calls (<see cref="GrainDeadline"/>): a grain that gets the
/// call after the deadline refuses to start it; a write it has started commits fully.</item>
/// <item>An answer ready only after the deadline is DEADLINE_EXCEEDED, never a decision the caller stopped waiting for.</item>
/// </list>
/// A call without a deadline passes straight through, at no cost.
/// </summary>
public static class CallDeadlines
{
    public const string ExpiredMessage = "the call's deadline passed before the server could answer it";

    /// <summary>
    /// The call's deadline, <see cref="DateTime.MaxValue"/> for none. Throws DEADLINE_EXCEEDED when it has passed, and
    /// gives an admin call's grain calls the deadline. That is set in the request context, whose changes in an async
    /// method end with that method: call this in the method that goes on with the call.
    /// </summary>
    public static DateTime Enter(ServerCallContext context)
    {
        var deadline = context.Deadline;
        if (deadline == DateTime.MaxValue)
        {
            return deadline;
        }

        ThrowIfPassed(deadline);
        if (context.Method.StartsWith("/authz.v1.Admin/", StringComparison.Ordinal))
        {
            GrainDeadline.Set(deadline);
        }

        return deadline;
    }

    /// <summary>Runs the call, whose deadline <see cref="Enter"/> gave, and refuses an answer ready only after it.</summary>
    public static Task<TResponse> Run<TService, TRequest, TResponse>(TService service, TRequest request, ServerCallContext context,
        UnaryServerMethod<TService, TRequest, TResponse> method, DateTime deadline)
        where TRequest : class
        where TResponse : class =>
        deadline == DateTime.MaxValue ? method(service, request, context) : WithinDeadlineAsync(service, request, context, method, deadline);

    private static async Task<TResponse> WithinDeadlineAsync<TService, TRequest, TResponse>(TService service, TRequest request,
        ServerCallContext context, UnaryServerMethod<TService, TRequest, TResponse> method, DateTime deadline)
        where TRequest : class
        where TResponse : class
    {
        TResponse response;
        try
        {
            response = await method(service, request, context);
        }
        catch (OperationCanceledException) when (DateTime.UtcNow >= deadline)
        {
            throw Expired();
        }

        ThrowIfPassed(deadline);
        return response;
    }

    private static void ThrowIfPassed(DateTime deadline)
    {
        if (DateTime.UtcNow >= deadline)
        {
            throw Expired();
        }
    }

    private static RpcException Expired() => new(new Status(StatusCode.DeadlineExceeded, ExpiredMessage));
}
