using System.Net;
using Authz.Server.Health;
using Authz.Server.Hosting;
using Authz.Server.Options;
using Authz.Server.Services;
using Authz.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Authz.Server.Extensions;

/// <summary>Composes the Authz server: options, Kestrel, the Orleans silo with its storage, gRPC and health.</summary>
public static class AuthzServiceExtensions
{
    /// <summary>Adds everything the Authz server runs. Call once, then <see cref="AuthzGrpcExtensions.MapAuthzGrpc"/>.</summary>
    public static WebApplicationBuilder AddAuthzServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddConfigurationDefaults(builder.Configuration);
        builder.Services.AddAuthzOptions();
        builder.Services.AddAuthzKestrel();
        builder.AddAuthzOrleans();
        builder.Services.AddAuthzGrpc();
        builder.Services.AddAuthzAdmin();
        builder.Services.AddAuthzSecurity();
        builder.Services.AddAuthzLimits();
        builder.Services.AddAuthzDecisions();
        builder.AddAuthzTelemetry();
        builder.Services.AddAuthzHealthChecks();
        builder.Services.AddHostedService<PortAvailabilityCheck>();
        builder.Services.AddHostedService<ServerLifecycleLogger>();
        builder.Services.AddAuthzStrictRequestParsing();
        return builder;
    }

    /// <summary>
    /// Defaults below every other configuration source, so appsettings.json, environment variables and arguments
    /// override them. ASP.NET Core's per-request log category is off: while any level of it is enabled, hosting starts
    /// an <see cref="System.Diagnostics.Activity"/> and a log scope for every request, a quarter of the allocations of a
    /// cached check, for messages at Information that the default Warning level drops anyway.
    /// </summary>
    private static void AddConfigurationDefaults(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None" },
        });

    /// <summary>Binds and validates <c>Authz:Server</c> and <c>Authz:Cluster</c>; a bad value stops the start with its key.</summary>
    public static IServiceCollection AddAuthzOptions(this IServiceCollection services)
    {
        services.AddOptions<AuthzServerOptions>()
            .BindConfiguration(AuthzServerOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => EndpointAddresses.IsLocalhost(o.GrpcHost) || IPAddress.TryParse(o.GrpcHost, out _),
                "Authz:Server:GrpcHost must be an IP address or `localhost`")
            .Validate(o => o.ShutdownTimeout > TimeSpan.Zero, "Authz:Server:ShutdownTimeout must be positive")
            .ValidateOnStart();
        services.AddOptions<AuthzClusterOptions>()
            .BindConfiguration(AuthzClusterOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthzClusterOptions>, AuthzClusterOptionsValidator>();
        services.AddOptions<HostOptions>()
            .Configure<IOptions<AuthzServerOptions>>((host, server) => host.ShutdownTimeout = server.Value.ShutdownTimeout);
        return services;
    }

    /// <summary>Kestrel serves gRPC over HTTP/2 without TLS (h2c) on <c>Authz:Server:GrpcHost:GrpcPort</c>, and nothing else.</summary>
    public static IServiceCollection AddAuthzKestrel(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AuthzServerOptions>>((kestrel, server) =>
        {
            var options = server.Value;
            // Prior-knowledge HTTP/2 only: without TLS there is no ALPN to negotiate it, and gRPC needs HTTP/2.
            static void Http2Only(ListenOptions listen) => listen.Protocols = HttpProtocols.Http2;
            if (EndpointAddresses.IsLocalhost(options.GrpcHost) && options.GrpcPort != 0)
            {
                kestrel.ListenLocalhost(options.GrpcPort, Http2Only);
            }
            else
            {
                kestrel.Listen(EndpointAddresses.Resolve(options.GrpcHost), options.GrpcPort, Http2Only);
            }

            // Prometheus scrapes over plain HTTP/1.1, on a port of its own.
            if (options.MetricsPort >= 0)
            {
                kestrel.Listen(EndpointAddresses.Resolve(options.GrpcHost), options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        return services;
    }

    /// <summary>
    /// Runs an Orleans silo in the process: localhost clustering (embedded) or Redis membership (cluster), the Authz
    /// grain storage as the default provider, and membership timing from <c>Authz:Cluster:Membership</c>.
    /// </summary>
    public static WebApplicationBuilder AddAuthzOrleans(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Clustering is chosen while the silo is composed, so it is read here rather than through IOptions.
        var cluster = builder.Configuration.GetSection(AuthzClusterOptions.SectionName).Get<AuthzClusterOptions>() ?? new AuthzClusterOptions();
        // The topology decides how the silo is composed, so an impossible one is refused now rather than half-built.
        var topology = new AuthzClusterOptionsValidator(builder.Configuration).Validate(Microsoft.Extensions.Options.Options.DefaultName, cluster);
        if (topology.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(AuthzClusterOptions), topology.Failures);
        }

        builder.UseOrleans(silo =>
        {
            switch (cluster.Clustering)
            {
                case ClusteringMode.Redis:
                    silo.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnectionString ?? string.Empty));
                    silo.Configure<ClusterOptions>(ids =>
                    {
                        ids.ClusterId = cluster.ClusterId;
                        ids.ServiceId = cluster.ServiceId;
                    });
                    silo.ConfigureEndpoints(EndpointAddresses.Resolve(cluster.AdvertisedHost), cluster.SiloPort, cluster.GatewayPort, cluster.ListenOnAnyHostAddress);
                    break;
                default:
                    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primarySiloEndpoint: null, cluster.ServiceId, cluster.ClusterId);
                    break;
            }

            silo.AddAuthzGrainStorageAsDefault(storage => storage
                .BindConfiguration(AuthzStorageOptions.SectionName)
                .Configure<IOptions<AuthzServerOptions>, IConfiguration>((options, server, configuration) =>
                {
                    // The SQLite file follows the data directory unless its path is configured itself.
                    if (string.IsNullOrWhiteSpace(configuration[$"{AuthzStorageOptions.SectionName}:{nameof(AuthzStorageOptions.SqlitePath)}"]))
                    {
                        options.SqlitePath = Path.Combine(server.Value.DataDirectory, "authz.db");
                    }
                }));
        });

        builder.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(AuthzClusterOptions.MembershipSectionName);
        return builder;
    }

    /// <summary>
    /// Health checks behind the standard gRPC health service: the silo is active and the storage answers. Probes are
    /// answered from the result published every 5 seconds (and once at start), so frequent probes never load the storage.
    /// </summary>
    public static IServiceCollection AddAuthzHealthChecks(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(options => options.UseHealthChecksCache = true)
            .AddCheck<SiloHealthCheck>("silo")
            .AddCheck<StorageHealthCheck>("storage");
        services.Configure<HealthCheckPublisherOptions>(options => options.Period = TimeSpan.FromSeconds(5));
        services.AddHostedService<HealthPrimer>();
        return services;
    }
}
