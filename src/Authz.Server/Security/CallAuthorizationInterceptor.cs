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
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var caller = CallerIdentity.Of(context);
        if (request is not IMessage message || !AdminActions.Knows(context.Method))
        {
            throw Denied(caller, context.Method);
        }

        AdminAction? first = null;
        foreach (var action in AdminActions.Of(context.Method, message))
        {
            if (!await authorizer.IsAllowedAsync(caller, action, context.CancellationToken))
            {
                throw Denied(caller, action.Action);
            }

            first ??= action;
        }

        if (first is { } allowed && context.Method.StartsWith("/authz.v1.Admin/", StringComparison.Ordinal))
        {
            // Flows with every grain call of this request to the grain that commits the change, for its audit record.
            Orleans.Runtime.RequestContext.Set(Authz.Grains.AuditContext.Key, new Authz.Grains.AuditContext
            {
                CallerArn = caller.Arn,
                AccessKeyId = caller.AccessKeyId,
                Rpc = context.Method[(context.Method.LastIndexOf('/') + 1)..],
                TargetArn = allowed.Resource,
                RequestId = RequestIds.Of(context),
            });
        }

        return await continuation(request, context);
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
