using System.Collections.Frozen;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Authz.Server.Hosting;

/// <summary>
/// Runs on every request after routing, before its endpoint, and does two things for gRPC calls.
/// <list type="bullet">
/// <item>
/// <description>
/// A gRPC call to a path the server maps no method at is answered UNIMPLEMENTED, the status the gRPC protocol gives it,
/// in a trailers-only response that names the path. Method paths are case-sensitive in gRPC but not in ASP.NET Core's
/// router, so a path that routes to a method only when case is ignored is unknown too
/// (<c>/authz.v1.authorization/authorize</c> is not <c>Authorize</c>). grpc-dotnet would answer these calls through
/// catch-all routes (<c>{service}/{method}</c> and, per service, <c>{method}</c>). But the router then matches those
/// routes, and captures their values, next to the served method on every call. That is the captured strings, a values
/// array and a route-value dictionary per call, 305 bytes, a fifth of what a cached <c>Authorize</c> allocated. With
/// <c>IgnoreUnknownServices</c>, those routes are not mapped.
/// </description>
/// </item>
/// <item>
/// <description>
/// A call to a method of a service registered as a singleton gets the root service provider as its request services.
/// grpc-dotnet activates the service and its interceptors from <c>HttpContext.RequestServices</c>, which otherwise
/// creates a dependency-injection scope for the call: the scope, its dictionary, and the feature that disposes it when
/// the call ends. The scope would hold nothing, since the server's services are singletons and their interceptors
/// singletons or created per call, and none of their dependencies is scoped.
/// </description>
/// </item>
/// </list>
/// Other requests pass on, and end 404 when nothing maps them.
/// </summary>
internal sealed class GrpcCalls(IServiceProvider root, IEnumerable<Type> singletons)
{
    private readonly RootServices _root = new(root);
    private readonly FrozenSet<Type> _singletons = singletons.ToFrozenSet();

    public Task Invoke(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is { } endpoint)
        {
            if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc)
            {
                return next(context);
            }

            if (context.Request.Path.Value == grpc.Method.FullName)
            {
                if (_singletons.Contains(grpc.ServiceType))
                {
                    context.Features.Set<IServiceProvidersFeature>(_root);
                }

                return next(context);
            }
        }

        return HttpMethods.IsPost(context.Request.Method)
            && context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            ? Unimplemented(context)
            : next(context);
    }

    private static Task Unimplemented(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = "12"; // UNIMPLEMENTED
        // grpc-message is percent-encoded; the escaped path is that already, and a client decodes it back.
        response.Headers["grpc-message"] = $"the server has no gRPC method at `{context.Request.Path.ToUriComponent()}`";
        return Task.CompletedTask;
    }

    /// <summary>One instance for every call, so it refuses to be changed.</summary>
    private sealed class RootServices(IServiceProvider root) : IServiceProvidersFeature
    {
        public IServiceProvider RequestServices
        {
            get => root;
            set => throw new InvalidOperationException("the request services of a gRPC call of a singleton service are the root provider, shared by every call");
        }
    }
}
