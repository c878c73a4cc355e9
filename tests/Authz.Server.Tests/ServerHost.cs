using System.Globalization;
using Authz.Server.Extensions;
using Authz.Server.Hosting;
using Authz.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Authz.Server.Tests;

/// <summary>The real server composition (as in Program.cs) on free loopback ports, in this process.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    private ServerHost(WebApplication app, Ports ports, string dataDirectory)
    {
        App = app;
        Ports = ports;
        DataDirectory = dataDirectory;
    }

    public WebApplication App { get; }

    public Ports Ports { get; }

    public string DataDirectory { get; }

    public bool Started { get; private set; }

    public Uri GrpcAddress => new($"http://127.0.0.1:{Ports.Grpc}");

    /// <summary>
    /// The system administrator's key every test server is configured with (<c>Authz:Security:BootstrapKey</c>).
    /// <see cref="CreateChannel(Uri, string?)"/> signs every call with it.
    /// </summary>
    public const string BootstrapKey = "AKIATESTBOOTSTRAP000.test-bootstrap-secret-not-for-production";

    /// <summary>A channel to <paramref name="address"/> whose calls carry <paramref name="apiKey"/> (default: the bootstrap key).</summary>
    public static GrpcChannel CreateChannel(Uri address, string? apiKey = BootstrapKey) =>
        GrpcChannel.ForAddress(address, apiKey is null ? new GrpcChannelOptions() : new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure,
                CallCredentials.FromInterceptor((_, metadata) =>
                {
                    metadata.Add("authorization", "Bearer " + apiKey);
                    return Task.CompletedTask;
                })),
            // The test servers speak h2c on loopback.
            UnsafeUseInsecureChannelCallCredentials = true,
        });

    /// <summary>A channel to this server signed with the bootstrap key, or with <paramref name="apiKey"/>; null for none.</summary>
    public GrpcChannel CreateChannel(string? apiKey = BootstrapKey) => CreateChannel(GrpcAddress, apiKey);

    /// <summary>The settings of an embedded server on <paramref name="ports"/> with its data in <paramref name="dataDirectory"/>.</summary>
    public static Dictionary<string, string?> EmbeddedSettings(Ports ports, string dataDirectory) => new()
    {
        ["Authz:Server:GrpcPort"] = ports.Grpc.ToString(CultureInfo),
        ["Authz:Server:DataDirectory"] = dataDirectory,
        ["Authz:Server:MetricsPort"] = "0",
        ["Authz:Server:ShutdownTimeout"] = "00:00:10",
        ["Authz:Cluster:SiloPort"] = ports.Silo.ToString(CultureInfo),
        ["Authz:Cluster:GatewayPort"] = ports.Gateway.ToString(CultureInfo),
        ["Authz:Cluster:ServiceId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
        ["Authz:Security:BootstrapKey"] = BootstrapKey,
        // The minimum: tests create many keys on a loaded machine.
        ["Authz:Security:Pbkdf2Iterations"] = "100000",
    };

    /// <summary>
    /// Builds the server with <paramref name="settings"/> over the defaults, without starting it; <paramref name="services"/>
    /// may replace registrations (a fake clock) after the server's own.
    /// </summary>
    public static ServerHost Build(Ports ports, string dataDirectory, IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAuthzServices();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseAuthzMetricsEndpoint();
        app.MapAuthzGrpc();
        return new ServerHost(app, ports, dataDirectory);
    }

    /// <summary>
    /// Starts an embedded server; <paramref name="settings"/> and <paramref name="services"/> adjust it. A port taken
    /// between choosing it and binding it (by a parallel test process) means new ports, up to three times.
    /// </summary>
    public static async Task<ServerHost> StartEmbeddedAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = Ports.Free();
            var dataDirectory = NewTempDirectory();
            var all = EmbeddedSettings(ports, dataDirectory);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            var host = Build(ports, dataDirectory, all, services);
            try
            {
                await host.StartAsync();
                return host;
            }
            catch (Exception e)
            {
                // The caller never sees a host that did not start, so its data directory is removed here.
                await host.DisposeAsync();
                if (e is not PortInUseException || attempt == 3)
                {
                    throw;
                }
            }
        }
    }

    public async Task StartAsync()
    {
        await App.StartAsync();
        Started = true;
    }

    public static string NewTempDirectory() => Path.Combine(Path.GetTempPath(), "authz-server-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Stops the server gracefully, as a SIGTERM would; the data directory stays until disposal.</summary>
    public async Task StopAsync()
    {
        if (Started)
        {
            Started = false;
            await App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }

    private static readonly CultureInfo CultureInfo = CultureInfo.InvariantCulture;
}

/// <summary>Three distinct free loopback ports.</summary>
public sealed record Ports(int Grpc, int Silo, int Gateway)
{
    public static Ports Free()
    {
        var ports = LoopbackPorts.Free(3);
        return new Ports(ports[0], ports[1], ports[2]);
    }
}
