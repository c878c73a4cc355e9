using Authz.Grains;
using Authz.Server.Mapping;
using Authz.Server.Security;
using Authz.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using GrainAccessKeyStatus = Authz.Grains.AccessKeyStatus;
using ProtoAccessKeyStatus = Authz.V1.AccessKeyStatus;

namespace Authz.Server.Services;

/// <summary>Access keys: the secret is generated and hashed here, and returned once; grains only see the hash.</summary>
public sealed partial class AdminService
{
    public override async Task<CreateAccessKeyResponse> CreateAccessKey(CreateAccessKeyRequest request, ServerCallContext context)
    {
        var (kind, name) = CheckKeyOwner(request.TenantId, request.UserName, request.RoleName);
        var (arn, id) = await PrincipalOfAsync(request.TenantId, kind, name);
        var accessKeyId = AccessKeySecrets.NewAccessKeyId();
        var secret = AccessKeySecrets.NewSecret();
        var iterations = security.Value.Pbkdf2Iterations;
        var (salt, hash) = AccessKeySecrets.Hash(secret, iterations);
        var record = new AccessKeyRecord
        {
            AccessKeyId = accessKeyId,
            TenantId = request.TenantId,
            PrincipalKind = kind,
            PrincipalName = name,
            PrincipalArn = arn,
            PrincipalId = id,
            Salt = salt,
            Hash = hash,
            Iterations = iterations,
            Status = GrainAccessKeyStatus.Active,
            CreateDate = DateTimeOffset.UtcNow,
        };

        // The principal's list records the key first, so the list is always a superset of the keys.
        await grains.GetAccessKeyList(request.TenantId, kind, name).Add(accessKeyId, quotas.Value.AccessKeysPerPrincipal);
        await grains.GetAccessKey(accessKeyId).Create(record);
        var key = new AccessKey
        {
            AccessKeyId = accessKeyId,
            SecretAccessKey = secret,
            Status = ProtoAccessKeyStatus.Active,
            CreateDate = Timestamp.FromDateTimeOffset(record.CreateDate),
        };
        SetOwner(kind, name, n => key.UserName = n, n => key.RoleName = n);
        return new CreateAccessKeyResponse { AccessKey = key, Revision = await grains.GetTenant(request.TenantId).GetRevision() };
    }

    public override async Task<ListAccessKeysResponse> ListAccessKeys(ListAccessKeysRequest request, ServerCallContext context)
    {
        var scope = $"ListAccessKeys|{request.TenantId}|{request.UserName.ToLowerInvariant()}|{request.RoleName.ToLowerInvariant()}";
        var (kind, name) = CheckKeyOwner(request.TenantId, request.UserName, request.RoleName, checks => checks.PageToken(request.PageToken, scope, out _));
        PageToken.TryDecode(request.PageToken, scope, out var after);
        await PrincipalOfAsync(request.TenantId, kind, name);
        var ids = await grains.GetAccessKeyList(request.TenantId, kind, name).List();
        var (page, next) = PageToken.Page(ids, id => id, after, PageToken.PageSize(request.MaxItems), scope);
        var records = await Task.WhenAll(page.Select(id => grains.GetAccessKey(id).Get()));
        var response = new ListAccessKeysResponse { NextPageToken = next };
        foreach (var r in records)
        {
            // The list is a superset: skip a key being created or deleted, or one of an earlier principal of that name.
            if (r is null || r.TenantId != request.TenantId || r.PrincipalKind != kind || !string.Equals(r.PrincipalName, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var metadata = new AccessKeyMetadata { AccessKeyId = r.AccessKeyId, Status = KeyStatusToProto(r.Status), CreateDate = Timestamp.FromDateTimeOffset(r.CreateDate) };
            SetOwner(r.PrincipalKind, r.PrincipalName, n => metadata.UserName = n, n => metadata.RoleName = n);
            response.AccessKeyMetadata.Add(metadata);
        }

        return response;
    }

    public override async Task<UpdateAccessKeyResponse> UpdateAccessKey(UpdateAccessKeyRequest request, ServerCallContext context)
    {
        var checks = RequestChecks.Request().TenantId(request.TenantId).Add("access_key_id", CheckAccessKeyId(request.AccessKeyId));
        var status = request.Status switch
        {
            ProtoAccessKeyStatus.Active => GrainAccessKeyStatus.Active,
            ProtoAccessKeyStatus.Inactive => GrainAccessKeyStatus.Inactive,
            _ => (GrainAccessKeyStatus?)null,
        };
        checks.Add("status", status is null ? "must be ACCESS_KEY_STATUS_ACTIVE or ACCESS_KEY_STATUS_INACTIVE" : null).ThrowIfInvalid();
        await grains.GetAccessKey(request.AccessKeyId).SetStatus(request.TenantId, status!.Value);
        authenticator.Forget(request.AccessKeyId);
        return new UpdateAccessKeyResponse { Revision = await grains.GetTenant(request.TenantId).GetRevision() };
    }

    public override async Task<DeleteAccessKeyResponse> DeleteAccessKey(DeleteAccessKeyRequest request, ServerCallContext context)
    {
        RequestChecks.Request().TenantId(request.TenantId).Add("access_key_id", CheckAccessKeyId(request.AccessKeyId)).ThrowIfInvalid();
        var deleted = await grains.GetAccessKey(request.AccessKeyId).Delete(request.TenantId);
        authenticator.Forget(request.AccessKeyId);
        await grains.GetAccessKeyList(request.TenantId, deleted.PrincipalKind, deleted.PrincipalName).Remove(request.AccessKeyId);
        return new DeleteAccessKeyResponse { Revision = await grains.GetTenant(request.TenantId).GetRevision() };
    }

    private static (EntityKind Kind, string Name) CheckKeyOwner(string tenantId, string userName, string roleName, Action<RequestChecks>? more = null)
    {
        var checks = RequestChecks.Request().TenantId(tenantId);
        if (userName.Length > 0 == roleName.Length > 0)
        {
            checks.Add("user_name", "exactly one of `user_name` and `role_name` is required");
        }
        else if (userName.Length > 0)
        {
            checks.PrincipalName(userName, "user_name");
        }
        else
        {
            checks.PrincipalName(roleName, "role_name");
        }

        more?.Invoke(checks);
        checks.ThrowIfInvalid();
        return userName.Length > 0 ? (EntityKind.User, userName) : (EntityKind.Role, roleName);
    }

    private static string? CheckAccessKeyId(string accessKeyId) =>
        AccessKeySecrets.IsAccessKeyId(accessKeyId) ? null : "is not an access key id (`AKIA` and 16 characters of `[A-Z2-7]`)";

    /// <summary>The ARN and unique id of the user or role; NotFound when it does not exist.</summary>
    private async Task<(string Arn, string Id)> PrincipalOfAsync(string tenantId, EntityKind kind, string name)
    {
        if (kind == EntityKind.User)
        {
            var user = await grains.GetUser(tenantId, name).Get();
            return (user.Arn, user.UserId);
        }

        var role = await grains.GetRole(tenantId, name).Get();
        return (role.Arn, role.RoleId);
    }

    private static void SetOwner(EntityKind kind, string name, Action<string> user, Action<string> role) =>
        (kind == EntityKind.User ? user : role)(name);

    private static ProtoAccessKeyStatus KeyStatusToProto(GrainAccessKeyStatus status) =>
        status == GrainAccessKeyStatus.Active ? ProtoAccessKeyStatus.Active : ProtoAccessKeyStatus.Inactive;
}
