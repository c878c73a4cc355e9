using Authz.Server.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Authz.Server.Hosting;

/// <summary>Says where the server listens once it is up, and when it shuts down.</summary>
internal sealed class ServerLifecycleLogger(
    IHostApplicationLifetime lifetime,
    IServer server,
    IServiceProvider services,
    IOptions<AuthzServerOptions> serverOptions,
    IOptions<AuthzClusterOptions> clusterOptions,
    ILogger<ServerLifecycleLogger> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(OnStarted);
        lifetime.ApplicationStopping.Register(() => Log.ShuttingDown(logger, serverOptions.Value.ShutdownTimeout));
        lifetime.ApplicationStopped.Register(() => Log.Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnStarted()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Log.Listening(logger, string.Join(", ", addresses));

        var silo = services.GetRequiredService<ILocalSiloDetails>();
        var cluster = clusterOptions.Value;
        Log.SiloStarted(logger, silo.SiloAddress.Endpoint.ToString(), silo.GatewayAddress?.Endpoint.ToString() ?? "none",
            cluster.ClusterId, cluster.ServiceId, cluster.Clustering.ToString());

        var storage = services.GetAuthzGrainStorage();
        Log.StorageTarget(logger, storage.Provider.ToString(), storage.Target);
    }
}
