using Authz.Server.Hosting;
using Authz.Server.Services;
using Grpc.AspNetCore.Server.Model;

namespace Authz.Server.Extensions;

/// <summary>
/// The gRPC surface of the server. Service implementations live in <c>Services/</c> and are registered and mapped
/// here, next to the standard health (<c>grpc.health.v1.Health</c>) and reflection services, so that grpcurl and load
/// balancers see every service the process serves.
/// </summary>
public static class AuthzGrpcExtensions
{
    /// <summary>Adds the gRPC framework with the server's settings, and reflection.</summary>
    public static IServiceCollection AddAuthzGrpc(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            // Exception details go to the log, never to the caller.
            options.EnableDetailedErrors = false;
            // MaxReceiveMessageSize is Authz:Limits:MaxRequestBytes (AuthzLimitsExtensions).
        });
        services.AddGrpcReflection();
        // The services and their interceptors hold no per-call state: registered as singletons, gRPC resolves them
        // instead of constructing them for every call.
        services.AddSingleton<AdminService>();
        services.AddSingleton<AuthorizationService>();
        return services;
    }

    /// <summary>
    /// Binds the gRPC services with <see cref="StrictServiceMethodProvider{TService}"/> instead of grpc-dotnet's own
    /// binder, so that a request the protobuf parser refuses is INVALID_ARGUMENT. Call after everything that calls
    /// <c>AddGrpc</c>, which would add grpc-dotnet's binder again; the start fails if that binder is not found.
    /// </summary>
    public static IServiceCollection AddAuthzStrictRequestParsing(this IServiceCollection services)
    {
        var framework = services.Single(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType?.Name == "BinderServiceMethodProvider`1");
        services.Remove(framework);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(StrictServiceMethodProvider<>));
        return services;
    }

    /// <summary>
    /// Maps the gRPC services: health and reflection, and the <c>authz.v1</c> services of <c>Services/</c> once they
    /// exist (<c>endpoints.MapGrpcService&lt;AdminService&gt;()</c>, <c>endpoints.MapGrpcService&lt;AuthorizationService&gt;()</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapAuthzGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcService<AdminService>();
        endpoints.MapGrpcService<AuthorizationService>();
        return endpoints;
    }
}
