using Authz.Grains;
using Grpc.Core;
using Grpc.Core.Interceptors;

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
public sealed class DeadlineInterceptor : Interceptor
{
    public const string ExpiredMessage = "the call's deadline passed before the server could answer it";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var deadline = context.Deadline;
        if (deadline == DateTime.MaxValue)
        {
            return continuation(request, context);
        }

        ThrowIfPassed(deadline);
        if (context.Method.StartsWith("/authz.v1.Admin/", StringComparison.Ordinal))
        {
            GrainDeadline.Set(deadline);
        }

        return WithinDeadlineAsync(request, context, continuation, deadline);
    }

    private static async Task<TResponse> WithinDeadlineAsync<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation, DateTime deadline)
        where TRequest : class
        where TResponse : class
    {
        TResponse response;
        try
        {
            response = await continuation(request, context);
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
