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

    // With authentication off, every call is the system administrator's.
    private static readonly CallerIdentity Unauthenticated = CallerIdentity.SystemAdministrator("");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // A remembered key is verified synchronously: then the call goes on without an extra async step.
        var authenticated = AuthenticateAsync(context);
        if (authenticated.IsCompletedSuccessfully)
        {
            return continuation(request, context);
        }

        return AuthenticatedAsync(authenticated, request, context, continuation);

        static async Task<TResponse> AuthenticatedAsync(ValueTask pending, TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            await pending;
            return await continuation(request, context);
        }
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

    private ValueTask AuthenticateAsync(ServerCallContext context)
    {
        if (!options.Value.Enabled)
        {
            Unauthenticated.AttachTo(context);
            return ValueTask.CompletedTask;
        }

        // Read from the HTTP request: ServerCallContext.RequestHeaders would copy every header into gRPC metadata on
        // each call. A second authorization header is not credentials either.
        var headers = context.GetHttpContext().Request.Headers.Authorization;
        if (headers.Count == 0 || string.IsNullOrEmpty(headers[0]))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, MissingMessage));
        }

        if (headers.Count != 1)
        {
            throw Invalid();
        }

        var caller = authenticator.AuthenticateAsync(headers[0]);
        if (caller.IsCompletedSuccessfully)
        {
            (caller.Result ?? throw Invalid()).AttachTo(context);
            return ValueTask.CompletedTask;
        }

        return AttachAsync(caller, context);

        static async ValueTask AttachAsync(ValueTask<CallerIdentity?> pending, ServerCallContext context) =>
            ((await pending) ?? throw Invalid()).AttachTo(context);
    }

    private static RpcException Invalid() => new(new Status(StatusCode.Unauthenticated, InvalidMessage));
}
