using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Authz.Grains.Decisions;
using Authz.Policy.Evaluation;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Authz.Grains.Tests.Decisions;

/// <summary>
/// Three in-process silos over one SQLite file, each with the decision path registered as the server registers it
/// (<c>AddAuthzDecisions()</c> in Authz.Server: options, the silo-local <see cref="DecisionCache"/>, the
/// <see cref="DecisionService"/> and the cache's subscription to the revision hub). <see cref="MaxEntryAge"/> is long, so
/// a silo learns of a write only from <c>min_revision</c> or from the revision notification.
/// </summary>
public sealed class ThreeSiloCluster : IAsyncLifetime
{
    /// <summary>Longer than any test: without a notification, a cached entry would stay this long.</summary>
    public static readonly TimeSpan MaxEntryAge = TimeSpan.FromMinutes(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "authz-grain-tests", Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _subscribed = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Holds the revision hub's fan-out while a test needs the silos not to be told.</summary>
    public NotificationGate Notifications { get; } = new();

    /// <summary>The three silos, each with its own grain factory and decision service.</summary>
    public IReadOnlyList<Silo> Silos { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = "decision-tests-" + Guid.NewGuid().ToString("N")[..8];
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddAuthzGrainStorageAsDefault(storage => storage.SqlitePath = Path.Combine(_directory, "authz.db"));
            silo.Services.AddAuthzGrains();

            // As AddAuthzDecisions() does, with the entry age set for these tests.
            silo.Services.AddOptions<DecisionOptions>().Configure(o => o.MaxEntryAge = MaxEntryAge);
            silo.Services.AddSingleton<DecisionCache>();
            silo.Services.AddSingleton<DecisionService>();
            silo.Services.AddHostedService<DecisionCacheSubscription>();

            silo.Services.AddSingleton<IIncomingGrainCallFilter>(Notifications);
            var subscribed = _subscribed.GetOrAdd(options.SiloName, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            silo.Services.AddSingleton<ILoggerProvider>(new SubscriptionSignal(subscribed));
            silo.Services.AddLogging(logging => logging.AddFilter<SubscriptionSignal>(typeof(DecisionCacheSubscription).FullName, LogLevel.Information));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Silos = [.. Cluster.Silos.Select(s => new Silo(s.Name, s.ServiceProvider))];
        Assert.Equal(3, Silos.Count);

        // Every silo's cache has subscribed to the hub (it logs event 3004 once it has), so notifications reach all three.
        await Task.WhenAll(Silos.Select(s => _subscribed[s.Name].Task)).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        Notifications.Release();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static string NewTenantId() =>
        "8" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D11", CultureInfo.InvariantCulture);

    /// <summary>One silo: its grain factory (writes made "through" it) and its own decision service.</summary>
    public sealed class Silo(string name, IServiceProvider services)
    {
        public string Name { get; } = name;

        public IGrainFactory Grains { get; } = services.GetRequiredService<IGrainFactory>();

        public DecisionService Decisions { get; } = services.GetRequiredService<DecisionService>();

        public DecisionCache Cache { get; } = services.GetRequiredService<DecisionCache>();

        /// <summary>Prepares and evaluates a check on this silo, as the gRPC handler does.</summary>
        public async Task<Decision> CheckAsync(string principal, string action, string resource, ulong minRevision)
        {
            var prepared = await Decisions.PrepareAsync(new CheckInput(null, principal, action, resource, null, minRevision), CancellationToken.None);
            Assert.True(prepared.Revision >= minRevision, $"evaluated at revision {prepared.Revision}, below min_revision {minRevision}");
            return prepared.Evaluate(trace: null);
        }
    }

    /// <summary>Completes when the decision cache subscription logs that it subscribed (event 3004).</summary>
    private sealed class SubscriptionSignal(TaskCompletionSource subscribed) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 3004)
            {
                subscribed.TrySetResult();
            }
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// While held, the revision hub's <c>Publish</c> and <c>PublishAt</c> wait before they fan out, so no silo is told of new revisions; released,
/// the held notifications go out in order.
/// </summary>
public sealed class NotificationGate : IIncomingGrainCallFilter
{
    private TaskCompletionSource _open = Open();

    public IDisposable Hold()
    {
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new Releaser(this);
    }

    public void Release() => _open.TrySetResult();

    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IRevisionHubGrain && context.MethodName is nameof(IRevisionHubGrain.Publish) or nameof(IRevisionHubGrain.PublishAt))
        {
            await _open.Task;
        }

        await context.Invoke();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private sealed class Releaser(NotificationGate gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}

[CollectionDefinition(Name)]
public sealed class ThreeSiloCollection : ICollectionFixture<ThreeSiloCluster>
{
    public const string Name = "three silos";
}
