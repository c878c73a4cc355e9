using Authz.V1;
using Grpc.Net.Client;

namespace Authz.Server.Tests.Security;

/// <summary>A user with an access key and an inline policy, and the clients that call as that user.</summary>
internal sealed class KeyedUser : IDisposable
{
    private readonly GrpcChannel _channel;

    private KeyedUser(string tenantId, string userName, string key, GrpcChannel channel)
    {
        TenantId = tenantId;
        UserName = userName;
        Key = key;
        _channel = channel;
        Admin = new Admin.AdminClient(channel);
        Authorization = new Authorization.AuthorizationClient(channel);
    }

    public string TenantId { get; }
    public string UserName { get; }
    public string Key { get; }
    public string Arn => $"arn:aws:iam::{TenantId}:user/{UserName}";
    public Admin.AdminClient Admin { get; }
    public Authorization.AuthorizationClient Authorization { get; }
    public GrpcChannel Channel => _channel;

    /// <summary>Creates the user (with <paramref name="policyDocument"/> inline, when given) and a key, as the bootstrap administrator.</summary>
    public static async Task<KeyedUser> CreateAsync(AdminApiFixture api, string tenantId, string userName, string? policyDocument)
    {
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenantId, UserName = userName });
        if (policyDocument is not null)
        {
            await api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenantId, UserName = userName, PolicyName = "granted", PolicyDocument = policyDocument });
        }

        var key = (await api.Admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenantId, UserName = userName })).AccessKey;
        var token = key.AccessKeyId + "." + key.SecretAccessKey;
        return new KeyedUser(tenantId, userName, token, api.Host.CreateChannel(token));
    }

    public void Dispose() => _channel.Dispose();
}
