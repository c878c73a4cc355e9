using System.Collections;
using Authz.Server.Security;
using Authz.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Authz.Server.Tests.Security;

/// <summary>
/// The isolation matrix: every method of both services, called with the credentials of tenant A's administrator
/// (<c>Allow * on *</c>) against tenant B, is refused, and identically for an entity B has and one it has not. Built from
/// the service descriptors, so a new method joins the matrix by itself.
/// </summary>
[Collection(AdminApiCollection.Name)]
public sealed class TenantIsolationTests(AdminApiFixture api)
{
    /// <summary>Methods that read or write no tenant's data; they act in the caller's own tenant.</summary>
    private static readonly HashSet<string> TenantFree = ["ValidatePolicy", "SimulateCustomPolicy"];

    private static IEnumerable<MethodDescriptor> Methods => Admin.Descriptor.Methods.Concat(Authorization.Descriptor.Methods);

    private sealed record Target(string Name, string AccessKeyId);

    [Fact]
    public async Task Every_method_with_tenant_A_credentials_is_refused_on_tenant_B_alike_for_existing_and_missing_entities()
    {
        var a = await api.NewTenantAsync();
        var b = await api.NewTenantAsync();
        using var adminOfA = await KeyedUser.CreateAsync(api, a, "admin", Rpc.Allow("*"));
        var existing = await PopulateAsync(b);
        var missing = new Target("missing", "AKIAAAAAAAAAAAAAAAAA");
        var before = await api.RevisionAsync(b);

        var failures = new List<string>();
        foreach (var method in Methods.Where(m => !TenantFree.Contains(m.Name)))
        {
            var onExisting = await CallAsync(adminOfA.Channel, method, Request(method.InputType, b, existing));
            var onMissing = await CallAsync(adminOfA.Channel, method, Request(method.InputType, b, missing));
            if (onExisting?.StatusCode != StatusCode.PermissionDenied || onMissing?.StatusCode != StatusCode.PermissionDenied
                || onExisting.Status.Detail != onMissing.Status.Detail)
            {
                failures.Add($"{method.Name}: existing -> {Describe(onExisting)}, missing -> {Describe(onMissing)}");
            }
        }

        Assert.Empty(failures);
        // Nothing of B changed.
        Assert.Equal(before, await api.RevisionAsync(b));
        Assert.Equal("existing", (await api.Admin.GetUserAsync(new GetUserRequest { TenantId = b, UserName = "existing" })).User.UserName);
    }

    [Fact]
    public async Task Every_method_without_credentials_is_unauthenticated()
    {
        var b = await api.NewTenantAsync();
        using var anonymous = api.Host.CreateChannel(apiKey: null);
        var failures = new List<string>();
        foreach (var method in Methods)
        {
            var error = await CallAsync(anonymous, method, Request(method.InputType, b, new Target("missing", "AKIAAAAAAAAAAAAAAAAA")));
            if (error?.StatusCode != StatusCode.Unauthenticated)
            {
                failures.Add($"{method.Name}: {Describe(error)}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task The_tenant_administrator_is_not_refused_in_its_own_tenant()
    {
        // The control for the matrix: the same requests in A's own tenant get past authorization.
        var a = await api.NewTenantAsync();
        using var adminOfA = await KeyedUser.CreateAsync(api, a, "admin", Rpc.Allow("*"));
        var own = await PopulateAsync(a);
        var refused = new List<string>();
        foreach (var method in Methods.Where(m => m.Service.Name == "Admin" && !m.Name.Contains("Tenant", StringComparison.Ordinal) || m.Name == "GetTenant"))
        {
            var error = await CallAsync(adminOfA.Channel, method, Request(method.InputType, a, own));
            if (error?.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                refused.Add($"{method.Name}: {Describe(error)}");
            }
        }

        Assert.Empty(refused);
    }

    /// <summary>Gives tenant <paramref name="tenant"/> one entity of every kind, named <c>existing</c>.</summary>
    private async Task<Target> PopulateAsync(string tenant)
    {
        var admin = api.Admin;
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "existing" });
        await admin.CreateGroupAsync(new CreateGroupRequest { TenantId = tenant, GroupName = "existing" });
        await admin.CreateRoleAsync(new CreateRoleRequest { TenantId = tenant, RoleName = "existing", AssumeRolePolicyDocument = Rpc.Trust() });
        await admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = tenant, PolicyName = "existing", PolicyDocument = Rpc.Allow("s3:GetObject") });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenant, UserName = "existing", PolicyName = "existing", PolicyDocument = Rpc.Allow("s3:GetObject") });
        await admin.PutTenantGuardrailAsync(new PutTenantGuardrailRequest { TenantId = tenant, Name = "existing", PolicyDocument = Rpc.Allow("*") });
        await admin.PutResourcePolicyAsync(new PutResourcePolicyRequest { TenantId = tenant, ResourceArn = ResourceArn(tenant, "existing"), PolicyDocument = Rpc.BucketPolicy(tenant, ResourceArn(tenant, "existing")) });
        var key = await admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "existing" });
        return new Target("existing", key.AccessKey.AccessKeyId);
    }

    private static string ResourceArn(string tenant, string name) => $"arn:aws:s3:::iso-{tenant}-{name}";

    /// <summary>A well-formed request of <paramref name="type"/> aimed at <paramref name="target"/> in <paramref name="tenant"/>.</summary>
    private static IMessage Request(MessageDescriptor type, string tenant, Target target)
    {
        var message = type.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            var value = Value(field, tenant, target);
            if (value is null)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                foreach (var item in (IEnumerable)value)
                {
                    list.Add(item);
                }
            }
            else
            {
                field.Accessor.SetValue(message, value);
            }
        }

        return message;
    }

    private static object? Value(FieldDescriptor field, string tenant, Target target) => field.Name switch
    {
        "tenant_id" or "resource_owner" => tenant,
        "name" or "user_name" or "group_name" or "role_name" or "policy_name" => target.Name,
        "path" or "path_prefix" => "/",
        "policy_arn" => $"arn:aws:iam::{tenant}:policy/{target.Name}",
        "policy_document" => field.ContainingType.Name == "UpdateAssumeRolePolicyRequest" ? Rpc.Trust() : Rpc.Allow("s3:GetObject"),
        "assume_role_policy_document" => Rpc.Trust(),
        "resource_arn" => ResourceArn(tenant, target.Name),
        "version_id" => "v1",
        "access_key_id" => target.AccessKeyId,
        "principal" or "policy_source_arn" => $"arn:aws:iam::{tenant}:user/{target.Name}",
        "action" => "s3:GetObject",
        "resource" => "*",
        "action_names" => new[] { "s3:GetObject" },
        "resource_arns" => new[] { "*" },
        "policy_input_list" => new[] { Rpc.Allow("s3:GetObject") },
        "tag_keys" => new[] { "team" },
        "tags" => new[] { new Tag { Key = "team", Value = "x" } },
        "status" => AccessKeyStatus.Inactive,
        "checks" => new[] { (AuthorizeRequest)Request(AuthorizeRequest.Descriptor, tenant, target) },
        _ => null,
    };

    /// <summary>Calls <paramref name="method"/> and returns its error, or null when it succeeded.</summary>
    private static async Task<RpcException?> CallAsync(Grpc.Net.Client.GrpcChannel channel, MethodDescriptor method, IMessage request)
    {
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create(m => m.ToByteArray(), method.InputType.Parser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), method.OutputType.Parser.ParseFrom));
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request);
            return null;
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    private static string Describe(RpcException? error) => error is null ? "OK" : $"{error.StatusCode} `{error.Status.Detail}`";
}
