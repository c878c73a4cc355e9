using System.Globalization;
using System.Security.Cryptography;
using Authz.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// One real embedded server (<see cref="ServerHost"/>: free loopback ports, temporary data directory) with clients of
/// both services, shared by the decision API tests.
/// </summary>
public sealed class DecisionApiFixture : IAsyncLifetime
{
    private ServerHost? _host;
    private GrpcChannel? _channel;

    public Admin.AdminClient Admin { get; private set; } = null!;

    public Authorization.AuthorizationClient Authorization { get; private set; } = null!;

    /// <summary>The server's grains, for states the API cannot produce on its own (a delete stopped halfway).</summary>
    public IGrainFactory Grains => _host!.App.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartEmbeddedAsync();
        // Signed with the system administrator's bootstrap key: the tests are about decisions, not about who may ask.
        _channel = _host.CreateChannel();
        Admin = new Admin.AdminClient(_channel);
        Authorization = new Authorization.AuthorizationClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A tenant id no other test uses (12 digits, starting with 6).</summary>
    public static string NewTenantId() =>
        "6" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D11", CultureInfo.InvariantCulture);

    /// <summary>Creates a fresh tenant and returns its id.</summary>
    public async Task<string> NewTenantAsync()
    {
        var id = NewTenantId();
        await Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Name = "decision tests" });
        return id;
    }
}

[CollectionDefinition(Name)]
public sealed class DecisionApiCollection : ICollectionFixture<DecisionApiFixture>
{
    public const string Name = "decision api";
}
