using Grpc.AspNetCore.Server;

namespace Authz.Server.Hosting;

/// <summary>
/// Answers a gRPC call to a path the server maps no method at with UNIMPLEMENTED, the status the gRPC protocol gives
/// it, in a trailers-only response that names the path. Other requests pass on (and end 404 when nothing maps them).
/// Method paths are case-sensitive in gRPC but not in ASP.NET Core's router, so a path that routes to a method only
/// when case is ignored is unknown too (<c>/authz.v1.authorization/authorize</c> is not <c>Authorize</c>).
/// <para>
/// grpc-dotnet would answer these itself through catch-all routes (<c>{service}/{method}</c> and, per service,
/// <c>{method}</c>), but then the router matches those routes, and captures their values, alongside the served method
/// on every call: three strings, an array and a route-value dictionary per call, a fifth of the bytes a cached
/// <c>Authorize</c> allocated. With <c>IgnoreUnknownServices</c> the routes are not mapped, and this middleware, which
/// runs after routing has found no endpoint, answers instead.
/// </para>
/// </summary>
internal static class UnknownGrpcCalls
{
    public static Task Answer(HttpContext context, RequestDelegate next)
    {
        if (IsServed(context)
            || !HttpMethods.IsPost(context.Request.Method)
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            return next(context);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = "12"; // UNIMPLEMENTED
        // grpc-message is percent-encoded; the escaped path is that already, and a client decodes it back.
        response.Headers["grpc-message"] = $"the server has no gRPC method at `{context.Request.Path.ToUriComponent()}`";
        return Task.CompletedTask;
    }

    private static bool IsServed(HttpContext context) =>
        context.GetEndpoint() is { } endpoint
        && (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc
            || context.Request.Path.Value == grpc.Method.FullName);
}
