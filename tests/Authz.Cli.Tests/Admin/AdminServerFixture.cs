using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Authz.Cli.Commands.Admin;
using Authz.Server.Extensions;
using Authz.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Authz.Cli.Tests.Admin;

/// <summary>
/// The real server composition (as in the server's Program.cs) on free loopback ports with a temporary SQLite file,
/// shared by the admin command tests, and a way to run <c>authz</c> commands against it in this process.
/// </summary>
public sealed class AdminServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private string _dataDirectory = "";

    /// <summary>The system administrator's key the server is configured with; <see cref="RunAsync"/> sends it.</summary>
    public const string BootstrapKey = "AKIACLITESTBOOTSTRAP.cli-test-bootstrap-secret-not-for-production";

    /// <summary><c>127.0.0.1:port</c> of the server's gRPC endpoint.</summary>
    public string Target { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var ports = LoopbackPorts.Free(3);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "authz-cli-tests", Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authz:Server:GrpcPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Authz:Server:DataDirectory"] = _dataDirectory,
            ["Authz:Server:MetricsPort"] = "-1",
            ["Authz:Server:ShutdownTimeout"] = "00:00:10",
            ["Authz:Cluster:SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Authz:Cluster:GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Authz:Cluster:ServiceId"] = "cli-test-" + Guid.NewGuid().ToString("N")[..8],
            ["Authz:Security:BootstrapKey"] = BootstrapKey,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAuthzServices();
        _app = builder.Build();
        _app.MapAuthzGrpc();
        await _app.StartAsync();
        Target = $"127.0.0.1:{ports[0]}";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenantId() =>
        "8" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D11", CultureInfo.InvariantCulture);

    /// <summary>Runs <c>authz ARGS --target &lt;this server&gt; --api-key &lt;bootstrap key&gt;</c> in this process, as the real root command would.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync("", args);

    /// <summary>As <see cref="RunAsync"/>, with <paramref name="standardInput"/> as what <c>--document -</c> reads.</summary>
    public Task<CliRun> RunWithInputAsync(string standardInput, params string[] args) =>
        CliRun.RunAsync(standardInput, [.. args, "--target", Target, "--api-key", BootstrapKey]);
}

/// <summary>What one in-process run of <c>authz</c> printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs the admin commands on <paramref name="args"/> with captured output and the given standard input.</summary>
    public static async Task<CliRun> RunAsync(string standardInput, params string[] args)
    {
        var root = new RootCommand("authz");
        AdminCommands.AddTo(root, new StringReader(standardInput));
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>The value of the first <c>name: value</c> line of the output.</summary>
    public string Field(string name)
    {
        var prefix = name + ": ";
        var line = Output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no `{name}:` line in:\n{Output}\n{Error}");
        return line![prefix.Length..];
    }

    /// <summary>The revision a write printed.</summary>
    public ulong Revision => ulong.Parse(Field("revision"), CultureInfo.InvariantCulture);

    /// <summary>Asserts the run succeeded (exit code 0) and returns it.</summary>
    public CliRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");
        return this;
    }
}

[CollectionDefinition(Name)]
public sealed class AdminServerCollection : ICollectionFixture<AdminServerFixture>
{
    public const string Name = "authz admin commands against a real server";
}
