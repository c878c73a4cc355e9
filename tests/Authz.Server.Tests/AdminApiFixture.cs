using System.Globalization;
using System.Security.Cryptography;
using Authz.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Authz.Server.Tests;

/// <summary>One real embedded server (free loopback ports, temp data directory) shared by the admin API tests.</summary>
public sealed class AdminApiFixture : IAsyncLifetime
{
    private ServerHost? _host;
    private GrpcChannel? _channel;

    public Admin.AdminClient Admin { get; private set; } = null!;

    /// <summary>The shared server, to open channels with other credentials.</summary>
    public ServerHost Host => _host!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartEmbeddedAsync();
        _channel = _host.CreateChannel();
        Admin = new Admin.AdminClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A random tenant id: 12 digits, so collisions between tests are negligible.</summary>
    public static string NewTenantId() => "7" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D11", CultureInfo.InvariantCulture);

    /// <summary>Creates a fresh tenant and returns its id.</summary>
    public async Task<string> NewTenantAsync()
    {
        var id = NewTenantId();
        var created = await Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Name = "api tests" });
        Assert.Equal(1UL, created.Revision);
        return id;
    }

    public async Task<ulong> RevisionAsync(string tenantId) =>
        (await Admin.GetTenantAsync(new GetTenantRequest { TenantId = tenantId })).Tenant.Revision;
}

[CollectionDefinition(Name)]
public sealed class AdminApiCollection : ICollectionFixture<AdminApiFixture>
{
    public const string Name = "admin api";
}

internal static class Rpc
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and returns the google.rpc.Status details.</summary>
    public static async Task<Google.Rpc.Status> Fails(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)code, status.Code);
        return status;
    }

    /// <summary>Asserts INVALID_ARGUMENT whose BadRequest names <paramref name="field"/>; returns that violation.</summary>
    public static async Task<BadRequest.Types.FieldViolation> Invalid(string field, Func<Task> call)
    {
        var status = await Fails(StatusCode.InvalidArgument, call);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        return Assert.Single(badRequest.FieldViolations, v => v.Field == field);
    }

    public static string Allow(string action, string resource = "*") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"{{action}}","Resource":"{{resource}}"}]}""";

    public static string Trust() =>
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    public static string BucketPolicy(string tenantId, string resource) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{tenantId}}:root"},"Action":"s3:GetObject","Resource":"{{resource}}"}]}""";

    /// <summary>Malformed: the statement array is never closed (line 3).</summary>
    public const string Malformed = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n";

    public const string UnknownOperator = """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": { "StringEqualz": { "aws:username": "alice" } }
          }]
        }
        """;

    public static string Oversized(int characters) => Allow("s3:GetObject", "arn:aws:s3:::" + new string('b', characters));
}
