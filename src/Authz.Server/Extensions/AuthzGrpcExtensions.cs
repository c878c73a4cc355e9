using Authz.Server.Hosting;
using Authz.Server.Services;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.Options;

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
            // No catch-all routes for unknown services and methods: GrpcCalls answers those (see there why).
            options.IgnoreUnknownServices = true;
        });
        services.AddGrpcReflection();
        // The services and their interceptors hold no per-call state: registered as singletons, gRPC resolves them
        // instead of constructing them for every call.
        services.AddSingleton<AdminService>();
        services.AddSingleton<AuthorizationService>();
        // Read once the server is built, when every registration is in (GrpcCalls).
        services.AddSingleton(new ServiceRegistrations(services));
        return services;
    }

    /// <summary>
    /// Binds the gRPC services with <see cref="StrictServiceMethodProvider{TService}"/> instead of grpc-dotnet's own
    /// binder, so that a request the protobuf parser refuses is INVALID_ARGUMENT. Call after everything that calls
    /// <c>AddGrpc</c>, which would add grpc-dotnet's binder again; the start fails if that binder is not found.
    /// </summary>
    public static IServiceCollection AddAuthzStrictRequestParsing(this IServiceCollection services)
    {
        var framework = services.Single(d => d.ServiceType == typeof(IServiceMethodProvider<>) && IsFrameworkBinder(d.ImplementationType));
        services.Remove(framework);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(StrictServiceMethodProvider<>));
        return services;
    }

    /// <summary>
    /// Maps the gRPC services (health, reflection, and the <c>authz.v1</c> services of <c>Services/</c>), with
    /// <see cref="GrpcCalls"/> in front: a gRPC call to any other path is UNIMPLEMENTED, and a call of a singleton
    /// service runs without a service scope of its own.
    /// </summary>
    public static WebApplication MapAuthzGrpc(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        RequireStrictBinding<AdminService>(app.Services);
        RequireStrictBinding<AuthorizationService>(app.Services);
        var registrations = app.Services.GetRequiredService<ServiceRegistrations>();
        RequireUnscopedInterceptors(app.Services, registrations);
        app.Use(new GrpcCalls(app.Services, registrations.Singletons()).Invoke);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapGrpcService<AdminService>();
        app.MapGrpcService<AuthorizationService>();
        return app;
    }

    /// <summary>
    /// Admission and strict request parsing are bound into the methods by <see cref="StrictServiceMethodProvider{TService}"/>.
    /// An <c>AddGrpc</c> call after <c>AddAuthzServices</c> adds grpc-dotnet's own binder back, which would bind the
    /// services a second time without either, so the server does not start with it.
    /// </summary>
    private static void RequireStrictBinding<TService>(IServiceProvider services)
        where TService : class
    {
        if (services.GetServices<IServiceMethodProvider<TService>>().Any(p => IsFrameworkBinder(p.GetType())))
        {
            throw new InvalidOperationException(
                $"`{typeof(TService).Name}` would also be bound by grpc-dotnet's own binder, without admission: call AddGrpc before " +
                "AddAuthzServices, and configure a service's interceptors through GrpcServiceOptions<TService>");
        }
    }

    /// <summary>
    /// Calls of singleton services run on the root provider (<see cref="GrpcCalls"/>), and so are their interceptors
    /// resolved: one registered as scoped would become one instance for every call, so the server does not start with it.
    /// </summary>
    private static void RequireUnscopedInterceptors(IServiceProvider services, ServiceRegistrations registrations)
    {
        GrpcServiceOptions[] options =
        [
            services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value,
            services.GetRequiredService<IOptions<GrpcServiceOptions<AdminService>>>().Value,
            services.GetRequiredService<IOptions<GrpcServiceOptions<AuthorizationService>>>().Value,
        ];
        if (options.SelectMany(o => o.Interceptors).FirstOrDefault(i => registrations.IsScoped(i.Type)) is { } scoped)
        {
            throw new InvalidOperationException(
                $"the gRPC interceptor `{scoped.Type.Name}` is registered as scoped, but the server's gRPC calls run without a service scope");
        }
    }

    /// <summary>grpc-dotnet's binder of generated services (internal to it, so known by name).</summary>
    private static bool IsFrameworkBinder(Type? provider) => provider?.Name == "BinderServiceMethodProvider`1";

    /// <summary>The service collection the server is built from, kept to tell its lifetimes after the build.</summary>
    private sealed class ServiceRegistrations(IServiceCollection services)
    {
        /// <summary>The types whose last unkeyed registration, the one resolved, is a singleton.</summary>
        public IEnumerable<Type> Singletons() => Resolved().Where(d => d.Lifetime == ServiceLifetime.Singleton).Select(d => d.ServiceType);

        public bool IsScoped(Type type) => Resolved().Any(d => d.ServiceType == type && d.Lifetime == ServiceLifetime.Scoped);

        private IEnumerable<ServiceDescriptor> Resolved() =>
            services.Where(d => !d.IsKeyedService).GroupBy(d => d.ServiceType).Select(g => g.Last());
    }
}
