using Authz.Grains;
using Authz.Server.Limits;
using Authz.Server.Security;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Authz.Server.Hosting;

/// <summary>
/// Marks a gRPC service whose every method is admitted by <see cref="CallAdmission"/> before it runs: the
/// <c>authz.v1</c> services. Health and reflection are not behind it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BehindAdmissionAttribute : Attribute;

/// <summary>
/// What every call of a service marked <see cref="BehindAdmissionAttribute"/> goes through before the method runs,
/// in this order:
/// <list type="number">
/// <item>authenticates the caller (<see cref="AccessKeyAuthenticator"/>);</item>
/// <item>authorizes the call with the caller's own policies (<see cref="CallAuthorizer"/>);</item>
/// <item>refuses a call whose deadline has passed (<see cref="CallDeadlines"/>), before it spends a token;</item>
/// <item>charges the rate limits of the tenants it asks about (<see cref="CallRateLimits"/>).</item>
/// </list>
/// <see cref="StrictServiceMethodProvider{TService}"/> binds it into each method's handler, inside any interceptors.
/// It is not a gRPC interceptor: grpc-dotnet resolves every interceptor from the call's service scope and runs it in an
/// async pipeline of its own, two tasks and a share of the CPU of every cached check. When the caller's key and
/// policies are cached, admission runs synchronously and the method is called directly.
/// </summary>
public sealed class CallAdmission(AccessKeyAuthenticator authenticator, CallAuthorizer authorizer, CallRateLimits rateLimits)
{
    /// <summary>The unary method <paramref name="method"/>, admitted first.</summary>
    public UnaryServerMethod<TService, TRequest, TResponse> Unary<TService, TRequest, TResponse>(UnaryServerMethod<TService, TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class =>
        (service, request, context) => Admit(service, request, context, method);

    /// <summary>
    /// A streaming method's handler for a service behind admission: the services map no streaming method, and one
    /// added without admission of its own is refused to every caller, after authentication says who is refused.
    /// </summary>
    public async Task RefuseStreaming(ServerCallContext context)
    {
        await authenticator.AuthenticateCallAsync(context);
        throw CallAuthorizer.RefuseStreaming(context);
    }

    private Task<TResponse> Admit<TService, TRequest, TResponse>(TService service, TRequest request, ServerCallContext context,
        UnaryServerMethod<TService, TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var authenticated = authenticator.AuthenticateCallAsync(context);
        if (!authenticated.IsCompletedSuccessfully)
        {
            return AfterAuthenticationAsync(authenticated, service, request, context, method);
        }

        var authorized = authorizer.AuthorizeCallAsync(request, context);
        return authorized.IsCompletedSuccessfully
            ? Call(authorized.Result, service, request, context, method)
            : AfterAuthorizationAsync(authorized, service, request, context, method);
    }

    private async Task<TResponse> AfterAuthenticationAsync<TService, TRequest, TResponse>(ValueTask authenticated,
        TService service, TRequest request, ServerCallContext context, UnaryServerMethod<TService, TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        await authenticated;
        return await Call(await authorizer.AuthorizeCallAsync(request, context), service, request, context, method);
    }

    private async Task<TResponse> AfterAuthorizationAsync<TService, TRequest, TResponse>(ValueTask<AuditContext?> authorized,
        TService service, TRequest request, ServerCallContext context, UnaryServerMethod<TService, TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class =>
        await Call(await authorized, service, request, context, method);

    /// <summary>The steps after authorization, and the call. The audit context and the deadline are set here, in the
    /// method that calls the service, since the request context's changes in an async method end with it.</summary>
    private Task<TResponse> Call<TService, TRequest, TResponse>(AuditContext? audit,
        TService service, TRequest request, ServerCallContext context, UnaryServerMethod<TService, TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        CallAuthorizer.Carry(audit);
        var deadline = CallDeadlines.Enter(context);
        rateLimits.Charge(request, context);
        return CallDeadlines.Run(service, request, context, method, deadline);
    }
}
