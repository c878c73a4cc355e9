using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Xunit.Abstractions;

namespace Authz.Server.Tests;

/// <summary>
/// Two silos in cluster mode for one test: Redis membership, PostgreSQL storage in a fresh schema, and membership timing
/// that declares a killed silo dead in seconds. <see cref="Local"/> runs in this process; the other silo is a real child
/// process (the published server), so <see cref="KillChild"/> is a hard kill, not a graceful stop.
/// </summary>
internal sealed class TwoSiloCluster : IAsyncDisposable
{
    /// <summary>
    /// Membership timing that declares a killed silo dead in a few seconds: probes of a dead process fail at once, while
    /// a live one starved of CPU on a loaded machine gets two seconds per probe before it counts as missed.
    /// </summary>
    private static readonly Dictionary<string, string?> FastMembership = new()
    {
        ["Authz:Cluster:Membership:ProbeTimeout"] = "00:00:02",
        ["Authz:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Authz:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Authz:Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
        ["Authz:Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
    };

    private readonly ITestOutputHelper _output;
    private readonly string _adminConnectionString = Environment.GetEnvironmentVariable("AUTHZ_TEST_POSTGRES")!;
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<string> _childOutput = new();
    private ServerHost? _local;
    private Process? _child;
    private Ports? _childPorts;

    private TwoSiloCluster(ITestOutputHelper output) => _output = output;

    /// <summary>The silo in this process, which survives <see cref="KillChild"/>.</summary>
    public ServerHost Local => _local!;

    /// <summary>The child silo's gRPC endpoint.</summary>
    public Uri ChildGrpcAddress => new($"http://127.0.0.1:{_childPorts!.Grpc}");

    /// <summary>The child silo as the cluster knows it.</summary>
    public SiloAddress ChildSilo { get; private set; } = null!;

    /// <summary>The local silo's view of the membership.</summary>
    public IClusterMembershipService Membership => Local.App.Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>The local silo's grain factory, for looking at the cluster from inside (where grains are hosted).</summary>
    public IGrainFactory Grains => Local.App.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts the local silo, then the child, and returns once the local silo sees the child active.</summary>
    public static async Task<TwoSiloCluster> StartAsync(ITestOutputHelper output)
    {
        var cluster = new TwoSiloCluster(output);
        try
        {
            await ExecutePostgresAsync(cluster._adminConnectionString, $"CREATE SCHEMA {cluster._schema}");
            var localPorts = Ports.Free();
            var localData = ServerHost.NewTempDirectory();
            cluster._local = ServerHost.Build(localPorts, localData, cluster.Settings(localPorts, localData));
            await cluster._local.StartAsync();

            cluster._childPorts = Ports.Free();
            cluster._child = cluster.StartChild(cluster.Settings(cluster._childPorts, ServerHost.NewTempDirectory()));
            var childSiloPort = cluster._childPorts.Silo;
            cluster.ChildSilo = (await cluster.WaitForMemberAsync(m => m.Status == SiloStatus.Active && m.SiloAddress.Endpoint.Port == childSiloPort,
                TimeSpan.FromSeconds(90), "the child silo to become active", cluster._child)).SiloAddress;
            await cluster.WaitForChildGrpcAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Activates <paramref name="grain"/> on the child silo, whichever silo placement would pick, by making
    /// <paramref name="firstCall"/> with Orleans' placement hint; calls through either silo then reach it there.
    /// </summary>
    public async Task ActivateOnChildAsync<TGrain>(TGrain grain, Func<TGrain, Task> firstCall)
        where TGrain : IAddressable
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, ChildSilo);
        try
        {
            await firstCall(grain);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>The silo <paramref name="grain"/> is active on, as the cluster's directory says; null when it is not active.</summary>
    public ValueTask<SiloAddress?> HostOfAsync(IAddressable grain) => Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);

    /// <summary>A channel to the child silo signed with the bootstrap key.</summary>
    public GrpcChannel CreateChildChannel() => ServerHost.CreateChannel(ChildGrpcAddress);

    /// <summary>Kills the child process (and its tree) at once; no graceful stop.</summary>
    public void KillChild() => _child!.Kill(entireProcessTree: true);

    /// <summary>Waits until the local silo has declared the killed child dead; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForChildDeclaredDeadAsync()
    {
        var clock = Stopwatch.StartNew();
        await WaitForMemberAsync(m => m.SiloAddress.Equals(ChildSilo) && m.Status == SiloStatus.Dead, TimeSpan.FromSeconds(60), "the killed silo to be declared dead", process: null);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_local is not null)
            {
                await _local.DisposeAsync();
            }
        }
        finally
        {
            if (_child is { HasExited: false })
            {
                _child.Kill(entireProcessTree: true);
            }

            _child?.Dispose();
            foreach (var line in _childOutput)
            {
                _output.WriteLine("child: " + line);
            }

            NpgsqlConnection.ClearAllPools();
            await ExecutePostgresAsync(_adminConnectionString, $"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        }
    }

    private Dictionary<string, string?> Settings(Ports ports, string dataDirectory)
    {
        var settings = ServerHost.EmbeddedSettings(ports, dataDirectory);
        settings["Authz:Cluster:Clustering"] = "Redis";
        settings["Authz:Cluster:RedisConnectionString"] = Environment.GetEnvironmentVariable("AUTHZ_TEST_REDIS");
        settings["Authz:Cluster:ClusterId"] = _clusterId;
        settings["Authz:Cluster:ServiceId"] = _clusterId;
        settings["Authz:Storage:Provider"] = "Postgres";
        settings["Authz:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(_adminConnectionString) { SearchPath = _schema }.ConnectionString;
        foreach (var (key, value) in FastMembership)
        {
            settings[key] = value;
        }

        return settings;
    }

    private Process StartChild(Dictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Authz.Server.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        // Kept for the test output; bounded so a chatty child cannot fill memory.
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is { } line && _childOutput.Count < 500)
            {
                _childOutput.Enqueue(line);
            }
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The silo joins the cluster before Kestrel listens: waits until the child's gRPC health answers Serving.</summary>
    private async Task WaitForChildGrpcAsync(TimeSpan timeout)
    {
        using var channel = CreateChildChannel();
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var status = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
                if (status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && clock.Elapsed < timeout)
            {
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"the child silo's gRPC endpoint {ChildGrpcAddress} did not answer Serving within {timeout}");
            }

            if (_child is { HasExited: true })
            {
                throw new InvalidOperationException($"the child silo exited with code {_child.ExitCode} before serving gRPC");
            }

            await Task.Delay(100);
        }
    }

    private async Task<ClusterMember> WaitForMemberAsync(Func<ClusterMember, bool> condition, TimeSpan timeout, string what, Process? process)
    {
        var membership = Membership;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var match = membership.CurrentSnapshot.Members.Values.FirstOrDefault(condition);
            if (match is not null)
            {
                return match;
            }

            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"the child silo exited with code {process.ExitCode} while waiting for {what}");
            }

            await Task.Delay(100);
        }

        var members = string.Join(", ", membership.CurrentSnapshot.Members.Values.Select(m => $"{m.SiloAddress}={m.Status}"));
        throw new TimeoutException($"timed out after {timeout} waiting for {what}; members: {members}");
    }

    private static async Task ExecutePostgresAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
