using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>
/// Authenticates every call of the <c>authz.v1</c> services and puts the <see cref="CallerIdentity"/> into the call
/// context. Health and reflection are not behind it. Without valid credentials the call ends with UNAUTHENTICATED and
/// one message for every kind of failure, so it tells nothing about which keys exist.
/// </summary>
public sealed class AuthenticationInterceptor(AccessKeyAuthenticator authenticator, IOptions<SecurityOptions> options) : Interceptor
{
    public const string MissingMessage = "missing credentials: send `authorization: Bearer <access-key-id>.<secret>`";
    public const string InvalidMessage = "invalid credentials";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async ValueTask AuthenticateAsync(ServerCallContext context)
    {
        if (!options.Value.Enabled)
        {
            CallerIdentity.SystemAdministrator("").AttachTo(context);
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(header))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, MissingMessage));
        }

        var caller = await authenticator.AuthenticateAsync(header)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, InvalidMessage));
        caller.AttachTo(context);
    }
}
