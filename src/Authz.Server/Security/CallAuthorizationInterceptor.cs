using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Authz.Server.Security;

/// <summary>
/// Authorizes every call of the <c>authz.v1</c> services after <see cref="AuthenticationInterceptor"/>: maps it with
/// <see cref="AdminActions"/> and asks <see cref="CallAuthorizer"/>. A refusal is PERMISSION_DENIED with a message that
/// names the caller and the action but not the target, so it is the same whether the target exists or not.
/// </summary>
public sealed class CallAuthorizationInterceptor(CallAuthorizer authorizer) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var caller = CallerIdentity.Of(context);
        if (request is not IMessage message || !AdminActions.Knows(context.Method))
        {
            throw Denied(caller, context.Method);
        }

        var admin = context.Method.StartsWith(AdminMethodPrefix, StringComparison.Ordinal);
        if (caller.IsSystemAdministrator && !admin)
        {
            return continuation(request, context); // allowed everything, and a check has no audit record
        }

        // Decided synchronously when the caller's policies are cached: then no extra async step.
        var authorized = AuthorizeAsync(caller, context.Method, message, context.CancellationToken);
        if (authorized.IsCompletedSuccessfully)
        {
            Audit(admin, authorized.Result, caller, context);
            return continuation(request, context);
        }

        return AuthorizedAsync(authorized, admin, caller, request, context, continuation);

        static async Task<TResponse> AuthorizedAsync(ValueTask<AdminAction?> pending, bool admin, CallerIdentity caller,
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Audit(admin, await pending, caller, context);
            return await continuation(request, context);
        }
    }

    private const string AdminMethodPrefix = "/authz.v1.Admin/";

    /// <summary>Every action of the call must be allowed; returns the first, which an admin call's audit record names.</summary>
    private async ValueTask<AdminAction?> AuthorizeAsync(CallerIdentity caller, string method, IMessage message, CancellationToken cancellationToken)
    {
        AdminAction? first = null;
        foreach (var action in AdminActions.Of(method, message))
        {
            if (!await authorizer.IsAllowedAsync(caller, action, cancellationToken))
            {
                throw Denied(caller, action.Action);
            }

            first ??= action;
        }

        return first;
    }

    private static void Audit(bool admin, AdminAction? allowed, CallerIdentity caller, ServerCallContext context)
    {
        if (admin && allowed is { } action)
        {
            // Flows with every grain call of this request to the grain that commits the change, for its audit record.
            Orleans.Runtime.RequestContext.Set(Authz.Grains.AuditContext.Key, new Authz.Grains.AuditContext
            {
                CallerArn = caller.Arn,
                AccessKeyId = caller.AccessKeyId,
                Rpc = context.Method[(context.Method.LastIndexOf('/') + 1)..],
                TargetArn = action.Resource,
                RequestId = RequestIds.Of(context),
            });
        }
    }

    // Streaming methods are not mapped: refused.
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        throw Denied(CallerIdentity.Of(context), context.Method);

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        throw Denied(CallerIdentity.Of(context), context.Method);

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        throw Denied(CallerIdentity.Of(context), context.Method);

    /// <summary>The one refusal: the same for a missing target and for another tenant's.</summary>
    public static string DeniedMessage(string callerArn, string action) => $"`{callerArn}` is not authorized to perform `{action}`";

    private static RpcException Denied(CallerIdentity caller, string action)
    {
        var status = new Google.Rpc.Status { Code = (int)Code.PermissionDenied, Message = DeniedMessage(caller.Arn, action) };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = "ACCESS_DENIED", Domain = "authz" }));
        return status.ToRpcException();
    }
}
