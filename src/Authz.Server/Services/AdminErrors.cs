using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Authz.Grains;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcStatusCode = Grpc.Core.StatusCode;
using RpcStatus = Google.Rpc.Status;

namespace Authz.Server.Services;

/// <summary>
/// The admin API's errors as the contract defines them: a gRPC status with a <c>google.rpc.Status</c> in
/// <c>grpc-status-details-bin</c> carrying BadRequest, PreconditionFailure or QuotaFailure details.
/// </summary>
public static class AdminErrors
{
    /// <summary>Throws INVALID_ARGUMENT with the field violations.</summary>
    [DoesNotReturn]
    public static void ThrowInvalid(ImmutableArray<FieldViolation> violations) =>
        throw ToRpcException(AdminException.Invalid(violations).Error);

    /// <summary>Throws INVALID_ARGUMENT for one field.</summary>
    [DoesNotReturn]
    public static void ThrowInvalid(string field, string description) =>
        throw ToRpcException(AdminException.Invalid(field, description).Error);

    /// <summary>The gRPC form of a grain's domain error.</summary>
    public static RpcException ToRpcException(AdminError error)
    {
        var (code, details) = error.Code switch
        {
            AdminErrorCode.InvalidArgument => (GrpcStatusCode.InvalidArgument, Any.Pack(BadRequest(error))),
            AdminErrorCode.NotFound => (GrpcStatusCode.NotFound, Any.Pack(new Google.Rpc.ResourceInfo { ResourceType = error.Kind ?? "", ResourceName = error.Subject ?? "", Description = error.Message })),
            AdminErrorCode.AlreadyExists => (GrpcStatusCode.AlreadyExists, Any.Pack(new Google.Rpc.ResourceInfo { ResourceType = error.Kind ?? "", ResourceName = error.Subject ?? "", Description = error.Message })),
            AdminErrorCode.FailedPrecondition => (GrpcStatusCode.FailedPrecondition, Any.Pack(new PreconditionFailure
            {
                Violations = { new PreconditionFailure.Types.Violation { Type = error.Kind ?? "", Subject = error.Subject ?? "", Description = error.Message } },
            })),
            AdminErrorCode.ResourceExhausted => (GrpcStatusCode.ResourceExhausted, Any.Pack(new QuotaFailure
            {
                Violations = { new QuotaFailure.Types.Violation { Subject = error.Subject ?? "", Description = error.Message } },
            })),
            AdminErrorCode.Aborted => (GrpcStatusCode.Aborted, Any.Pack(new ErrorInfo { Reason = "CONCURRENT_WRITE", Domain = "authz" })),
            AdminErrorCode.PermissionDenied => (GrpcStatusCode.PermissionDenied, Any.Pack(new ErrorInfo { Reason = "OTHER_TENANT", Domain = "authz" })),
            AdminErrorCode.DeadlineExceeded => (GrpcStatusCode.DeadlineExceeded, null),
            _ => (GrpcStatusCode.Internal, null),
        };
        var status = new RpcStatus { Code = (int)code, Message = error.Message };
        if (details is not null)
        {
            status.Details.Add(details);
        }

        return status.ToRpcException();
    }

    private static BadRequest BadRequest(AdminError error)
    {
        var request = new BadRequest();
        foreach (var v in error.Violations)
        {
            // For a policy document the description is the Cedar-style line, with JSON path, line and column.
            request.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description });
        }

        return request;
    }
}

/// <summary>
/// Turns what the admin service's calls throw into the contract's statuses: domain errors map one to one, anything
/// unexpected becomes INTERNAL with a generic message and the detail in the log.
/// </summary>
public sealed class AdminErrorInterceptor(ILogger<AdminErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (AdminException ex)
        {
            AdminLog.Refused(logger, context.Method, ex.Error.Code, ex.Error.Message);
            throw AdminErrors.ToRpcException(ex.Error);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Grpc.Core.Status(GrpcStatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception ex)
        {
            AdminLog.Failed(logger, ex, context.Method);
            throw new RpcException(new Grpc.Core.Status(GrpcStatusCode.Internal, "internal error; the server log has the details"));
        }
    }
}

internal static partial class AdminLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Admin call {Method} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Admin call {Method} refused with {Code}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, AdminErrorCode code, string reason);
}
