using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Authz.Cli.Commands.Admin;

/// <summary>Gives every unary call of a command a deadline and the command's cancellation (Ctrl+C).</summary>
internal sealed class CallDefaultsInterceptor(TimeSpan timeout, CancellationToken cancellationToken) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var options = context.Options;
        if (options.Deadline is null)
            options = options.WithDeadline(DateTime.UtcNow + timeout);
        if (!options.CancellationToken.CanBeCanceled)
            options = options.WithCancellationToken(cancellationToken);
        return continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
    }
}
