using Authz.Server.Security;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Tests.Security;

/// <summary>Admin and decision calls are authorized by the engine with the caller's own policies.</summary>
[Collection(AdminApiCollection.Name)]
public sealed class CallAuthorizationTests(AdminApiFixture api)
{
    [Fact]
    public void Every_method_of_both_services_is_in_the_action_table()
    {
        var methods = Admin.Descriptor.Methods.Concat(Authorization.Descriptor.Methods)
            .Select(m => $"/{m.Service.FullName}/{m.Name}").ToArray();
        Assert.All(methods, m => Assert.True(AdminActions.Knows(m), $"{m} has no entry in AdminActions"));
        Assert.Equal(methods.Length, AdminActions.ByMethod.Count + 1);
    }

    [Fact]
    public async Task A_user_may_make_exactly_the_calls_its_policies_allow()
    {
        var tenant = await api.NewTenantAsync();
        using var reader = await KeyedUser.CreateAsync(api, tenant, "reader",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}""");

        Assert.Equal("reader", (await reader.Admin.GetUserAsync(new GetUserRequest { TenantId = tenant, UserName = "reader" })).User.UserName);
        await reader.Admin.ListUsersAsync(new ListUsersRequest { TenantId = tenant });
        var denied = await Rpc.Fails(StatusCode.PermissionDenied,
            () => reader.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "mallory" }).ResponseAsync);
        Assert.Equal(CallAuthorizer.DeniedMessage(reader.Arn, "iam:CreateUser"), denied.Message);
        // The caller cannot grant itself more.
        await Rpc.Fails(StatusCode.PermissionDenied, () => reader.Admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = tenant, UserName = "reader", PolicyName = "more", PolicyDocument = Rpc.Allow("*"),
        }).ResponseAsync);

        // An explicit Deny wins over an Allow, as in every decision.
        await api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = tenant, UserName = "reader", PolicyName = "deny",
            PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}""",
        });
        await Rpc.Fails(StatusCode.PermissionDenied, () => reader.Admin.ListUsersAsync(new ListUsersRequest { TenantId = tenant }).ResponseAsync);
    }

    [Fact]
    public async Task Tenant_administrators_cannot_create_or_delete_tenants()
    {
        var tenant = await api.NewTenantAsync();
        using var admin = await KeyedUser.CreateAsync(api, tenant, "admin", Rpc.Allow("*"));
        await admin.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "bob" });
        await Rpc.Fails(StatusCode.PermissionDenied, () => admin.Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = "799999999999", Name = "x" }).ResponseAsync);
        await Rpc.Fails(StatusCode.PermissionDenied, () => admin.Admin.DeleteTenantAsync(new DeleteTenantRequest { TenantId = tenant }).ResponseAsync);
        await Rpc.Fails(StatusCode.PermissionDenied, () => admin.Admin.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(tenant, (await admin.Admin.GetTenantAsync(new GetTenantRequest { TenantId = tenant })).Tenant.TenantId);
    }

    [Fact]
    public async Task Authorize_needs_authz_Authorize_in_the_tenant_asked_about()
    {
        var tenant = await api.NewTenantAsync();
        using var app = await KeyedUser.CreateAsync(api, tenant, "app", Rpc.Allow("s3:*"));
        var check = new AuthorizeRequest { TenantId = tenant, Principal = app.Arn, Action = "s3:GetObject", Resource = "arn:aws:s3:::b/k" };
        await Rpc.Fails(StatusCode.PermissionDenied, () => app.Authorization.AuthorizeAsync(check).ResponseAsync);
        await Rpc.Fails(StatusCode.PermissionDenied, () => app.Authorization.BatchAuthorizeAsync(new BatchAuthorizeRequest { Checks = { check } }).ResponseAsync);

        await api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenant, UserName = "app", PolicyName = "checks", PolicyDocument = Rpc.Allow("authz:Authorize", AdminActions.Root(tenant)) });
        Assert.Equal(Decision.Allow, (await app.Authorization.AuthorizeAsync(check)).Decision);
        Assert.Single((await app.Authorization.BatchAuthorizeAsync(new BatchAuthorizeRequest { Checks = { check } })).Results);
    }

    [Fact]
    public async Task A_platform_principal_of_another_tenant_may_authorize_where_that_tenant_grants_it()
    {
        var platformTenant = await api.NewTenantAsync();
        var customer = await api.NewTenantAsync();
        using var platform = await KeyedUser.CreateAsync(api, platformTenant, "platform", Rpc.Allow("authz:Authorize"));
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = customer, UserName = "carol" });
        var check = new AuthorizeRequest { TenantId = customer, Principal = $"arn:aws:iam::{customer}:user/carol", Action = "s3:GetObject", Resource = "*" };
        await Rpc.Fails(StatusCode.PermissionDenied, () => platform.Authorization.AuthorizeAsync(check).ResponseAsync);

        await api.Admin.PutResourcePolicyAsync(new PutResourcePolicyRequest
        {
            TenantId = customer,
            ResourceArn = AdminActions.Root(customer),
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{platform.Arn}}"},"Action":"authz:Authorize","Resource":"{{AdminActions.Root(customer)}}"}]}""",
        });
        Assert.Equal(Decision.ImplicitDeny, (await platform.Authorization.AuthorizeAsync(check)).Decision);
        // The grant is for checks only: the platform principal still cannot read the customer's users.
        await Rpc.Fails(StatusCode.PermissionDenied, () => platform.Admin.GetUserAsync(new GetUserRequest { TenantId = customer, UserName = "carol" }).ResponseAsync);
    }

    [Fact]
    public async Task A_key_does_not_outlive_its_user_even_if_the_name_is_taken_again()
    {
        var tenant = await api.NewTenantAsync();
        using var temp = await KeyedUser.CreateAsync(api, tenant, "temp", Rpc.Allow("*"));
        await api.Admin.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { TenantId = tenant, UserName = "temp", PolicyName = "granted" });
        await api.Admin.DeleteUserAsync(new DeleteUserRequest { TenantId = tenant, UserName = "temp" });
        await api.Admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "temp" });
        await api.Admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenant, UserName = "temp", PolicyName = "granted", PolicyDocument = Rpc.Allow("*") });
        await Rpc.Fails(StatusCode.PermissionDenied, () => temp.Admin.GetTenantAsync(new GetTenantRequest { TenantId = tenant }).ResponseAsync);
    }
}
