using System.Collections.Concurrent;
using System.Net;
using Authz.Population;
using Authz.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Authz.Cli.Tests;

/// <summary>
/// A tiny in-process gRPC server on a free loopback port (HTTP/2 only, like the real host) that implements the
/// Authorization service from the population's own expectations, and the few Admin calls seeding makes, in memory.
/// Knobs make it answer wrongly or fail, so the generator's error and mismatch counting can be checked.
/// </summary>
internal sealed class FakeAuthzServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeAuthzServer(WebApplication app, FakeAuthorization authorization, FakeAdmin admin, string address)
    {
        _app = app;
        Authorization = authorization;
        Admin = admin;
        Address = address;
    }

    public FakeAuthorization Authorization { get; }
    public FakeAdmin Admin { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address { get; }

    public int Port => int.Parse(Address[(Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts a server; servers of one test cluster share one <paramref name="admin"/>, as silos share storage.</summary>
    public static async Task<FakeAuthzServer> StartAsync(MlPlatformPopulation population, bool withAuthorization = true, FakeAdmin? admin = null, string? requiredKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var authorization = new FakeAuthorization(population);
        admin ??= new FakeAdmin();
        builder.Services.AddGrpc(options =>
        {
            if (requiredKey is not null)
                options.Interceptors.Add<RequireKeyInterceptor>(requiredKey);
        });
        builder.Services.AddSingleton(authorization);
        builder.Services.AddSingleton(admin);
        var app = builder.Build();
        if (withAuthorization)
            app.MapGrpcService<FakeAuthorization>();
        app.MapGrpcService<FakeAdmin>();
        await app.StartAsync();
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new FakeAuthzServer(app, authorization, admin, $"127.0.0.1:{url.Port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Answers every check of the population with its expected decision, unless told otherwise.</summary>
internal sealed class FakeAuthorization : Authz.V1.Authorization.AuthorizationBase
{
    private readonly Dictionary<AuthorizeRequest, Decision> _expected = [];
    private long _calls;

    public FakeAuthorization(MlPlatformPopulation population)
    {
        for (var i = 0; i < population.PrincipalCount; i++)
            foreach (var check in population.Checks(population.Principal(i)))
                _expected[check.Request] = check.Expected;
    }

    /// <summary>Answers Allow, wrongly, to every check of this action that should be denied.</summary>
    public string? WrongForAction { get; set; }

    /// <summary>Every n-th call fails with UNAVAILABLE (0: never).</summary>
    public int FailEvery { get; set; }

    public long Calls => Interlocked.Read(ref _calls);

    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    public override Task<AuthorizeResponse> Authorize(AuthorizeRequest request, ServerCallContext context)
    {
        var n = Interlocked.Increment(ref _calls);
        if (AuthorizationHeaders.Count < 100)
            AuthorizationHeaders.Enqueue(context.RequestHeaders.GetValue("authorization"));
        if (FailEvery > 0 && n % FailEvery == 0)
            throw new RpcException(new Status(StatusCode.Unavailable, "silo restarting"));
        return Task.FromResult(Answer(request));
    }

    public override Task<BatchAuthorizeResponse> BatchAuthorize(BatchAuthorizeRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _calls);
        var response = new BatchAuthorizeResponse();
        response.Results.AddRange(request.Checks.Select(Answer));
        return Task.FromResult(response);
    }

    private AuthorizeResponse Answer(AuthorizeRequest request)
    {
        var key = request.MinRevision == 0 ? request : request.Clone();
        key.MinRevision = 0;
        if (!_expected.TryGetValue(key, out var decision))
            return new AuthorizeResponse { Decision = Decision.ImplicitDeny, Reason = $"unknown principal `{request.Principal}`" };
        if (decision != Decision.Allow && request.Action == WrongForAction)
            decision = Decision.Allow;
        return new AuthorizeResponse { Decision = decision, Revision = 1 };
    }
}

/// <summary>The Admin calls seeding makes, in memory, with ALREADY_EXISTS for duplicates as the real service answers.</summary>
internal sealed class FakeAdmin : Authz.V1.Admin.AdminBase
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ulong> _revisions = [];
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public IReadOnlyDictionary<string, int> Calls => _calls;

    public int CallsOf(string method) => _calls.GetValueOrDefault(method);

    private ulong Write(string tenant, string method, string? uniqueName = null)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        lock (_lock)
        {
            if (!_revisions.ContainsKey(tenant))
                throw new RpcException(new Status(StatusCode.NotFound, $"unknown tenant `{tenant}`"));
            if (uniqueName is not null && !_names.Add(tenant + "/" + uniqueName))
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"`{uniqueName}` already exists"));
            return ++_revisions[tenant];
        }
    }

    public override Task<CreateTenantResponse> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        _calls.AddOrUpdate(nameof(CreateTenant), 1, (_, n) => n + 1);
        lock (_lock)
        {
            if (!_revisions.TryAdd(request.TenantId, 1))
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"tenant `{request.TenantId}` already exists"));
        }
        return Task.FromResult(new CreateTenantResponse { Tenant = new Tenant { TenantId = request.TenantId, Name = request.Name, Revision = 1 }, Revision = 1 });
    }

    public override Task<GetTenantResponse> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            if (!_revisions.TryGetValue(request.TenantId, out var revision))
                throw new RpcException(new Status(StatusCode.NotFound, $"unknown tenant `{request.TenantId}`"));
            return Task.FromResult(new GetTenantResponse { Tenant = new Tenant { TenantId = request.TenantId, Revision = revision } });
        }
    }

    public override Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            if (!_names.Contains(request.TenantId + "/user/" + request.UserName))
                throw new RpcException(new Status(StatusCode.NotFound, $"unknown user `{request.UserName}`"));
            return Task.FromResult(new GetUserResponse { User = new User { UserName = request.UserName } });
        }
    }

    public override Task<CreatePolicyResponse> CreatePolicy(CreatePolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new CreatePolicyResponse { Revision = Write(request.TenantId, nameof(CreatePolicy), "policy/" + request.PolicyName) });

    public override Task<CreateGroupResponse> CreateGroup(CreateGroupRequest request, ServerCallContext context) =>
        Task.FromResult(new CreateGroupResponse { Revision = Write(request.TenantId, nameof(CreateGroup), "group/" + request.GroupName) });

    public override Task<AttachGroupPolicyResponse> AttachGroupPolicy(AttachGroupPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new AttachGroupPolicyResponse { Revision = Write(request.TenantId, nameof(AttachGroupPolicy)) });

    public override Task<CreateRoleResponse> CreateRole(CreateRoleRequest request, ServerCallContext context) =>
        Task.FromResult(new CreateRoleResponse { Revision = Write(request.TenantId, nameof(CreateRole), "role/" + request.RoleName) });

    public override Task<AttachRolePolicyResponse> AttachRolePolicy(AttachRolePolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new AttachRolePolicyResponse { Revision = Write(request.TenantId, nameof(AttachRolePolicy)) });

    public override Task<RegisterResourceResponse> RegisterResource(RegisterResourceRequest request, ServerCallContext context) =>
        Task.FromResult(new RegisterResourceResponse { Revision = Write(request.TenantId, nameof(RegisterResource)) });

    public override Task<PutResourcePolicyResponse> PutResourcePolicy(PutResourcePolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new PutResourcePolicyResponse { Revision = Write(request.TenantId, nameof(PutResourcePolicy)) });

    public override Task<PutTenantGuardrailResponse> PutTenantGuardrail(PutTenantGuardrailRequest request, ServerCallContext context) =>
        Task.FromResult(new PutTenantGuardrailResponse { Revision = Write(request.TenantId, nameof(PutTenantGuardrail)) });

    /// <summary>How many CreateUser calls to refuse first, as Authz's rate limit does: RESOURCE_EXHAUSTED with a 1 ms hint.</summary>
    public int RateLimitedCreateUsers;

    public override Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context) =>
        Interlocked.Decrement(ref RateLimitedCreateUsers) >= 0
            ? throw new RpcException(new Status(StatusCode.ResourceExhausted, "tenant is over its rate limit"), new Metadata { { "retry-after-ms", "1" } })
            : Task.FromResult(new CreateUserResponse { Revision = Write(request.TenantId, nameof(CreateUser), "user/" + request.UserName) });

    public override Task<AddUserToGroupResponse> AddUserToGroup(AddUserToGroupRequest request, ServerCallContext context) =>
        Task.FromResult(new AddUserToGroupResponse { Revision = Write(request.TenantId, nameof(AddUserToGroup), "member/" + request.GroupName + "/" + request.UserName) });
}

/// <summary>Refuses calls without <c>authorization: Bearer &lt;key&gt;</c>, as the real server does.</summary>
internal sealed class RequireKeyInterceptor(string key) : Grpc.Core.Interceptors.Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.RequestHeaders.GetValue("authorization") != "Bearer " + key)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing credentials: send `authorization: Bearer <access-key-id>.<secret>`"));
        return continuation(request, context);
    }
}
