using Authz.Server.Limits;
using Authz.Server.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Authz.Server.Hosting;

/// <summary>
/// The interceptor in front of the <c>authz.v1</c> services (health and reflection are not behind it). It admits a
/// call in four steps, in this order:
/// <list type="number">
/// <item>authenticates the caller (<see cref="AccessKeyAuthenticator"/>);</item>
/// <item>authorizes the call with the caller's own policies (<see cref="CallAuthorizer"/>);</item>
/// <item>refuses a call whose deadline has passed (<see cref="CallDeadlines"/>), before it spends a token;</item>
/// <item>charges the rate limits of the tenants it asks about (<see cref="CallRateLimits"/>).</item>
/// </list>
/// One interceptor rather than one per step: gRPC resolves every registered interceptor and wraps the call in an async
/// step for each, on every call. When the caller's key and policies are cached, the steps run synchronously.
/// </summary>
public sealed class AdmissionInterceptor(AccessKeyAuthenticator authenticator, CallAuthorizer authorizer, CallRateLimits rateLimits) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var authenticated = authenticator.AuthenticateCallAsync(context);
        if (!authenticated.IsCompletedSuccessfully)
        {
            return AfterAuthenticationAsync(authenticated, request, context, continuation);
        }

        var authorized = authorizer.AuthorizeCallAsync(request, context);
        return authorized.IsCompletedSuccessfully
            ? Admit(authorized.Result, request, context, continuation)
            : AfterAuthorizationAsync(authorized, request, context, continuation);
    }

    private async Task<TResponse> AfterAuthenticationAsync<TRequest, TResponse>(ValueTask authenticated,
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        await authenticated;
        return await Admit(await authorizer.AuthorizeCallAsync(request, context), request, context, continuation);
    }

    private async Task<TResponse> AfterAuthorizationAsync<TRequest, TResponse>(ValueTask<Authz.Grains.AuditContext?> authorized,
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class =>
        await Admit(await authorized, request, context, continuation);

    /// <summary>The steps after authorization, and the call. The audit context and the deadline are set here, in the
    /// method that calls the service, since the request context's changes in an async method end with it.</summary>
    private Task<TResponse> Admit<TRequest, TResponse>(Authz.Grains.AuditContext? audit,
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        CallAuthorizer.Carry(audit);
        var deadline = CallDeadlines.Enter(context);
        rateLimits.Charge(request, context);
        return CallDeadlines.Run(request, context, continuation, deadline);
    }

    // The services map no streaming method: an authenticated caller is refused.
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await authenticator.AuthenticateCallAsync(context);
        throw CallAuthorizer.RefuseStreaming(context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await authenticator.AuthenticateCallAsync(context);
        throw CallAuthorizer.RefuseStreaming(context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await authenticator.AuthenticateCallAsync(context);
        throw CallAuthorizer.RefuseStreaming(context);
    }
}
