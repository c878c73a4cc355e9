using System.Net.Security;
using Authz.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Authz.Client;

/// <summary>
/// A client of the Authz service: the generated <see cref="Admin"/> and <see cref="Authorization"/> stubs over one
/// or more HTTP/2 connections to one or more targets, with every call sent through the next connection round robin.
/// Thread-safe; create one per process and dispose it at the end.
/// </summary>
public sealed class AuthzClient : IDisposable
{
    private readonly GrpcChannel[] _channels;

    private AuthzClient(GrpcChannel[] channels, CallInvoker invoker, IReadOnlyList<AuthzTarget> targets)
    {
        _channels = channels;
        CallInvoker = invoker;
        Targets = targets;
        Admin = new Admin.AdminClient(invoker);
        Authorization = new Authorization.AuthorizationClient(invoker);
    }

    /// <summary>The administration API (tenants, identities, policies, resources, guardrails).</summary>
    public Admin.AdminClient Admin { get; }

    /// <summary>The decision API (<c>Authorize</c>, <c>BatchAuthorize</c>, simulations).</summary>
    public Authorization.AuthorizationClient Authorization { get; }

    /// <summary>The round-robin invoker behind both stubs, for other services on the same server (health, reflection).</summary>
    public CallInvoker CallInvoker { get; }

    /// <summary>The targets, in the order given.</summary>
    public IReadOnlyList<AuthzTarget> Targets { get; }

    /// <summary>The number of HTTP/2 connections (channels) calls are spread over.</summary>
    public int ConnectionCount => _channels.Length;

    /// <summary>Creates the channels; nothing connects until the first call or <see cref="ConnectAsync"/>.</summary>
    public static AuthzClient Create(AuthzClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Targets.Count == 0)
            throw new ArgumentException("at least one target is required", nameof(options));
        if (options.ConnectionsPerTarget < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "ConnectionsPerTarget must be at least 1");

        var channels = new List<GrpcChannel>(options.Targets.Count * options.ConnectionsPerTarget);
        // Connection-major order, so that consecutive calls alternate between targets.
        for (var c = 0; c < options.ConnectionsPerTarget; c++)
            foreach (var target in options.Targets)
                channels.Add(CreateChannel(target, options));

        var invokers = channels.Select(channel =>
        {
            var invoker = channel.CreateCallInvoker();
            return options.ApiKey is { Length: > 0 } key
                ? invoker.Intercept(metadata =>
                {
                    metadata.Add("authorization", "Bearer " + key);
                    return metadata;
                })
                : invoker;
        }).ToList();
        return new AuthzClient([.. channels], new RoundRobinCallInvoker(invokers), options.Targets);
    }

    private static GrpcChannel CreateChannel(AuthzTarget target, AuthzClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.AllowExtraConnections,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = options.ConnectTimeout,
        };
        if (options.AcceptAnyServerCertificate)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        return GrpcChannel.ForAddress(target.ToUri(options.UseTls), new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            // Batches of 100 checks with explanations can exceed the 4 MiB default only in pathological cases; the
            // server's own limit decides.
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
    }

    /// <summary>Opens every connection now, so that the first measured calls do not pay for the handshakes.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_channels.Select(channel => channel.ConnectAsync(cancellationToken)));

    /// <summary>One check with string context values (one value per key).</summary>
    public Task<AuthorizeResponse> AuthorizeAsync(string principal, string action, string resource,
        IReadOnlyDictionary<string, string>? context = null, ulong minRevision = 0, CancellationToken cancellationToken = default)
    {
        var request = new AuthorizeRequest { Principal = principal, Action = action, Resource = resource, MinRevision = minRevision };
        if (context is not null)
            foreach (var (key, value) in context)
                request.Context[key] = new ContextValues { Values = { value } };
        return Authorization.AuthorizeAsync(request, cancellationToken: cancellationToken).ResponseAsync;
    }

    /// <summary>Creates the tenant, or keeps it when it exists; returns the tenant's revision either way.</summary>
    public async Task<ulong> EnsureTenantAsync(string tenantId, string name, CancellationToken cancellationToken = default)
    {
        var created = await CreateOrKeepAsync(Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenantId, Name = name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (created is not null)
            return created.Revision;
        var existing = await Admin.GetTenantAsync(new GetTenantRequest { TenantId = tenantId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return existing.Tenant.Revision;
    }

    /// <summary>
    /// Awaits a Create-style call and returns its response, or null when the entity already exists
    /// (<c>ALREADY_EXISTS</c>); idempotent seeding builds on this.
    /// </summary>
    public static async Task<TResponse?> CreateOrKeepAsync<TResponse>(AsyncUnaryCall<TResponse> call)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(call);
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                return null;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels)
            channel.Dispose();
    }
}
