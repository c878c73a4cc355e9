using System.Collections.Concurrent;
using Authz.Grains;
using Authz.Grains.Decisions;
using Authz.Server.Extensions;
using Authz.Storage;
using Authz.Server.Services;
using Authz.V1;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// The real server composition (as <see cref="ServerHost.Build"/>: Program.cs on free loopback ports, SQLite in a
/// temporary directory) with two test hooks that stay inert until a test arms them for a grain it owns: a grain storage
/// whose reads or writes fail on demand, and grain call filters that fail, hold or count chosen grain calls.
/// </summary>
public sealed class FaultHostFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = ServerHost.NewTempDirectory();
    private WebApplication? _app;
    private GrpcChannel? _channel;

    public StorageFaults Storage { get; } = new();

    public GrainCallFaults Calls { get; } = new();

    public CheckArrivals Arrivals { get; } = new();

    public Admin.AdminClient Admin { get; private set; } = null!;

    public Authorization.AuthorizationClient Authorization { get; private set; } = null!;

    /// <summary>The silo's grain factory, to address grains and read what they hold.</summary>
    public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's decision cache, to tell it of a revision as the revision hub would.</summary>
    public DecisionCache Cache => _app!.Services.GetRequiredService<DecisionCache>();

    public async Task InitializeAsync()
    {
        var ports = Ports.Free();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(ServerHost.EmbeddedSettings(ports, _dataDirectory));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAuthzServices();

        // The hooks. The last keyed registration wins, and Orleans' lifecycle registration of the provider resolves the
        // keyed service, so the wrapper is started (and starts the real storage) in its place.
        builder.Services.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
            (services, key) => new FaultyGrainStorage(AuthzGrainStorage.Create(services, (string)key!), Storage));
        builder.Services.AddSingleton<IIncomingGrainCallFilter>(Calls);
        builder.Services.AddSingleton<IOutgoingGrainCallFilter>(Calls);
        // Around the decision service's handler. Admission runs inside interceptors, synchronously once the caller's key
        // and policies are cached, so the handler has run up to its first wait when the interceptor's continuation
        // returns. Not through AddGrpc, which would bind the services again without admission (MapAuthzGrpc refuses).
        builder.Services.AddSingleton(Arrivals);
        builder.Services.Configure<GrpcServiceOptions<AuthorizationService>>(o => o.Interceptors.Add<CheckArrivals>());

        _app = builder.Build();
        _app.UseAuthzMetricsEndpoint();
        _app.MapAuthzGrpc();
        await _app.StartAsync();
        _channel = ServerHost.CreateChannel(new Uri($"http://127.0.0.1:{ports.Grpc}"));
        Admin = new Admin.AdminClient(_channel);
        Authorization = new Authorization.AuthorizationClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    /// <summary>Creates a fresh tenant and returns its id.</summary>
    public async Task<string> NewTenantAsync()
    {
        var id = DecisionApiFixture.NewTenantId();
        await Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Name = "fault tests" });
        return id;
    }

    /// <summary>Deactivates the grains, so that their next call activates them again and reads their state from storage.</summary>
    public async Task DeactivateAsync(params IAddressable[] grains)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        foreach (var grain in grains)
        {
            await management.DeactivateGrain(grain.GetGrainId(), CancellationToken.None);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaultHostCollection : ICollectionFixture<FaultHostFixture>
{
    public const string Name = "fault host";
}

/// <summary>Which grains' state reads or writes fail, as if the database could not be reached.</summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<GrainId, int> _failing = new();
    private readonly ConcurrentDictionary<GrainId, bool> _failingWrites = new();

    /// <summary>Makes every state write of <paramref name="grain"/> fail, before it reaches the database, until the result is disposed.</summary>
    public IDisposable FailWrites(IAddressable grain)
    {
        var id = grain.GetGrainId();
        _failingWrites[id] = true;
        return new Disarm(() => _failingWrites.TryRemove(id, out _));
    }

    internal void ThrowIfWritesFail(GrainId grain)
    {
        if (_failingWrites.ContainsKey(grain))
        {
            throw new SqliteException("SQLite Error 14: 'unable to open database file'.", 14);
        }
    }

    /// <summary>Makes every state read of <paramref name="grain"/> fail until the result is disposed.</summary>
    public IDisposable FailReads(IAddressable grain)
    {
        var id = grain.GetGrainId();
        _failing[id] = 0;
        return new Disarm(() => _failing.TryRemove(id, out _));
    }

    /// <summary>How many reads failed since <see cref="FailReads"/>.</summary>
    public int FailedReads(IAddressable grain) => _failing.GetValueOrDefault(grain.GetGrainId());

    internal void ThrowIfFailing(GrainId grain)
    {
        if (_failing.ContainsKey(grain))
        {
            _failing.AddOrUpdate(grain, 1, (_, n) => n + 1);
            // What Microsoft.Data.Sqlite throws when the database file cannot be opened (SQLITE_CANTOPEN).
            throw new SqliteException("SQLite Error 14: 'unable to open database file'.", 14);
        }
    }
}

/// <summary>The Authz grain storage with reads and writes that fail on demand; everything else is the real storage.</summary>
internal sealed class FaultyGrainStorage(AuthzGrainStorage inner, StorageFaults faults) : IAuthzGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public string Name => inner.Name;

    public StorageProviderKind Provider => inner.Provider;

    public string Target => inner.Target;

    public Task CheckHealthAsync(CancellationToken cancellationToken = default) => inner.CheckHealthAsync(cancellationToken);

    public Task<TResult> QueryAsync<TResult>(Func<System.Data.Common.DbConnection, string, CancellationToken, Task<TResult>> query, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(query, cancellationToken);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfFailing(grainId);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfWritesFail(grainId);
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfWritesFail(grainId);
        return inner.WriteStateAsync(stateName, grainId, grainState, alsoWrite, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, StorageWriteAction alsoWrite, CancellationToken cancellationToken = default) =>
        inner.ClearStateAsync(stateName, grainId, grainState, alsoWrite, cancellationToken);

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        ((ILifecycleParticipant<ISiloLifecycle>)inner).Participate(lifecycle);
}

/// <summary>
/// Grain call filters that count calls by (target grain, method) and run an armed fault around chosen calls: throw, or
/// wait on a gate the test opens. Incoming faults run inside the target grain's turn, before the call; outgoing faults
/// run at the caller, after the call returned and before the caller sees the result.
/// </summary>
public sealed class GrainCallFaults : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _calls = new();
    private readonly ConcurrentDictionary<(GrainId Grain, string Method, bool Outgoing), Func<Task>> _faults = new();

    /// <summary>How many calls of <paramref name="method"/> reached <paramref name="grain"/>.</summary>
    public int Calls(IAddressable grain, string method) => _calls.GetValueOrDefault((grain.GetGrainId(), method));

    /// <summary>Runs <paramref name="fault"/> inside <paramref name="grain"/> before each call of <paramref name="method"/>.</summary>
    public IDisposable Inject(IAddressable grain, string method, Func<Task> fault) => Arm((grain.GetGrainId(), method, false), fault);

    /// <summary>Runs <paramref name="fault"/> at the caller after each call of <paramref name="method"/> on <paramref name="grain"/> returned.</summary>
    public IDisposable InjectAfterReturn(IAddressable grain, string method, Func<Task> fault) => Arm((grain.GetGrainId(), method, true), fault);

    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        _calls.AddOrUpdate((context.TargetId, context.MethodName), 1, (_, n) => n + 1);
        if (_faults.TryGetValue((context.TargetId, context.MethodName, false), out var fault))
        {
            await fault();
        }

        await context.Invoke();
    }

    async Task IOutgoingGrainCallFilter.Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        if (_faults.TryGetValue((context.TargetId, context.MethodName, true), out var fault))
        {
            await fault();
        }
    }

    private Disarm Arm((GrainId, string, bool) key, Func<Task> fault)
    {
        _faults[key] = fault;
        return new Disarm(() => _faults.TryRemove(key, out _));
    }
}

/// <summary>
/// Tells when chosen <c>Authorize</c> calls have run their handler up to its first wait. The handler resolves the
/// principal synchronously up to the silo cache's shared load, so an arrived check has joined (or started) that load.
/// </summary>
public sealed class CheckArrivals : Interceptor
{
    private Func<AuthorizeRequest, bool>? _match;
    private int _remaining;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <paramref name="count"/> checks matching <paramref name="match"/> have arrived.</summary>
    public Task Expect(Func<AuthorizeRequest, bool> match, int count)
    {
        _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _remaining = count;
        _match = match;
        return _arrived.Task;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var handled = continuation(request, context);
        if (request is AuthorizeRequest check && _match?.Invoke(check) == true && Interlocked.Decrement(ref _remaining) == 0)
        {
            _match = null;
            _arrived.TrySetResult();
        }

        return await handled;
    }
}

internal sealed class Disarm(Action action) : IDisposable
{
    public void Dispose() => action();
}
