using System.Net;
using System.Net.Sockets;
using Authz.Server.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Authz.Server.Tests;

/// <summary>The embedded default over real h2c on loopback: health, reflection, storage, refusal of taken ports.</summary>
public sealed class EmbeddedServerTests
{
    [Fact]
    public async Task Serves_grpc_health_and_reflection_over_h2c_and_stores_in_its_data_directory()
    {
        await using var host = await ServerHost.StartEmbeddedAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);

        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var overall = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);

        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);

        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "authz.db")));
    }

    [Fact]
    public async Task Http1_requests_are_refused_because_the_endpoint_speaks_http2_only()
    {
        await using var host = await ServerHost.StartEmbeddedAsync();
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with 400 and closes the connection.
        using var response = await http.GetAsync(host.GrpcAddress);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("Authz:Server:GrpcPort")]
    [InlineData("Authz:Cluster:SiloPort")]
    [InlineData("Authz:Cluster:GatewayPort")]
    public async Task A_taken_port_stops_the_start_with_the_setting_to_change(string key)
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();
        var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
        var taken = int.Parse(settings[key]!, System.Globalization.CultureInfo.InvariantCulture);
        using var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();

        await using var host = ServerHost.Build(ports, dataDirectory, settings);
        var error = await Assert.ThrowsAsync<PortInUseException>(() => host.StartAsync());

        Assert.Contains($"port {taken} on 127.0.0.1 ({key}", error.Message, StringComparison.Ordinal);
        Assert.Contains(key.Replace(":", "__", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_clustering_over_sqlite_storage_is_refused_when_the_server_is_built()
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();
        var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
        settings["Authz:Cluster:Clustering"] = "Redis";

        var error = Assert.Throws<OptionsValidationException>(() => ServerHost.Build(ports, dataDirectory, settings));

        Assert.Contains("Authz:Cluster:RedisConnectionString is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("silos of a cluster cannot share a SQLite file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_grpc_host_is_refused_when_the_server_is_built()
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();
        var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
        settings["Authz:Server:GrpcHost"] = "not an address";

        var error = Assert.Throws<OptionsValidationException>(() => ServerHost.Build(ports, dataDirectory, settings));

        Assert.Contains("Authz:Server:GrpcHost must be an IP address or `localhost`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_whose_services_a_later_AddGrpc_would_bind_without_admission_is_refused_when_it_is_built()
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();

        var error = Assert.Throws<InvalidOperationException>(() =>
            ServerHost.Build(ports, dataDirectory, ServerHost.EmbeddedSettings(ports, dataDirectory), services => services.AddGrpc()));

        Assert.Contains("`AdminService` would also be bound by grpc-dotnet's own binder, without admission", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_with_a_scoped_interceptor_on_a_service_whose_calls_run_without_a_scope_is_refused_when_it_is_built()
    {
        var ports = Ports.Free();
        var dataDirectory = ServerHost.NewTempDirectory();

        var error = Assert.Throws<InvalidOperationException>(() => ServerHost.Build(ports, dataDirectory, ServerHost.EmbeddedSettings(ports, dataDirectory),
            services => services.AddScoped<ScopedInterceptor>()
                .Configure<GrpcServiceOptions<Services.AuthorizationService>>(o => o.Interceptors.Add<ScopedInterceptor>())));

        Assert.Contains("the gRPC interceptor `ScopedInterceptor` is registered as scoped", error.Message, StringComparison.Ordinal);
    }

    private sealed class ScopedInterceptor : Grpc.Core.Interceptors.Interceptor;
}
