using Authz.Client;
using Authz.V1;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Authz.Benchmarks;

/// <summary>
/// gRPC end to end in this process: the client library (<c>AuthzClient</c>, one HTTP/2 connection, every call signed
/// with the administrator's key) against the real server of a <see cref="BenchmarkServer"/> on a loopback port, one
/// call at a time. <see cref="HealthCheck"/> is the transport floor of the same run, so the ratio column reads as "how
/// many bare round trips a check costs". <see cref="BatchAuthorize"/> reports per decision.
/// </summary>
/// <remarks>
/// Two allocation figures: BenchmarkDotNet's <c>Allocated</c> counts every thread of the process, client and server
/// together; <c>Server alloc/check</c> is the server's alone (<see cref="ServerAllocations"/>). The administrator is
/// not authorized per call (it may do everything); a tenant's key adds one cached decision, <c>authz:Authorize</c> on
/// the tenant, to every call: <see cref="AuthorizeWithTenantKey"/> measures that.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[GcServer(true)] // as the server runs (the Web SDK's default)
[Config(typeof(ServerAllocationConfig))]
public class GrpcEndToEnd
{
    /// <summary>Checks per <see cref="BatchAuthorize"/> call: the most a batch may hold.</summary>
    public const int BatchSize = 100;

    private static readonly HealthCheckRequest HealthRequest = new();

    private BenchmarkServer _server = null!;
    private Health.HealthClient _health = null!;
    private Authorization.AuthorizationClient _authorization = null!;
    private AuthorizeRequest _single = null!;
    private BatchAuthorizeRequest _batch = null!;
    private Decision[] _batchExpected = [];
    private AuthzClient? _tenantCaller;

    [GlobalSetup(Target = nameof(HealthCheck))]
    public async Task SetupHealthCheck()
    {
        await StartAsync();
        await ServerAllocations.MeasureAsync(_server.GrpcPort, "/grpc.health.v1.Health/Check", HealthRequest.ToByteArray(), 1,
            message => Expect(HealthCheckResponse.Parser.ParseFrom(message).Status == HealthCheckResponse.Types.ServingStatus.Serving, "Health/Check did not answer SERVING"));
    }

    [GlobalSetup(Target = nameof(Authorize))]
    public async Task SetupAuthorize()
    {
        await StartAsync();
        await ServerAllocations.MeasureAsync(_server.GrpcPort, "/authz.v1.Authorization/Authorize", _single.ToByteArray(), 1,
            message => Expect(AuthorizeResponse.Parser.ParseFrom(message).Decision == Decision.Allow, "Authorize did not answer ALLOW"));
    }

    [GlobalSetup(Target = nameof(AuthorizeWithTenantKey))]
    public async Task SetupAuthorizeWithTenantKey()
    {
        await StartAsync();
        var key = await CreateTenantCallerKeyAsync();
        _tenantCaller = AuthzClient.Create(new AuthzClientOptions
        {
            Targets = [AuthzTarget.Parse($"127.0.0.1:{_server.GrpcPort}")],
            ApiKey = key,
        });
        Expect((await _tenantCaller.Authorization.AuthorizeAsync(_single)).Decision == Decision.Allow, "Authorize with the tenant's key did not answer ALLOW");
        await ServerAllocations.MeasureAsync(_server.GrpcPort, "/authz.v1.Authorization/Authorize", _single.ToByteArray(), 1,
            message => Expect(AuthorizeResponse.Parser.ParseFrom(message).Decision == Decision.Allow, "Authorize with the tenant's key did not answer ALLOW"),
            key);
    }

    [GlobalSetup(Target = nameof(BatchAuthorize))]
    public async Task SetupBatchAuthorize()
    {
        await StartAsync();
        await ServerAllocations.MeasureAsync(_server.GrpcPort, "/authz.v1.Authorization/BatchAuthorize", _batch.ToByteArray(), BatchSize,
            message => ExpectBatch(BatchAuthorizeResponse.Parser.ParseFrom(message)));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _tenantCaller?.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>
    /// <c>grpc.health.v1.Health/Check</c>: the server answers it from the result its health publisher last published
    /// (every 5 seconds), so it is a bare round trip.
    /// </summary>
    [Benchmark(Baseline = true)]
    public async Task<HealthCheckResponse.Types.ServingStatus> HealthCheck() => (await _health.CheckAsync(HealthRequest)).Status;

    /// <summary>
    /// One <c>Authorize</c>: the check of <see cref="GrainPath.CacheHit"/> (a data scientist reads her team's dataset from
    /// the corporate network; Allow), with the principal and resource cached.
    /// </summary>
    [Benchmark]
    public async Task<Decision> Authorize() => (await _authorization.AuthorizeAsync(_single)).Decision;

    /// <summary>
    /// The same <c>Authorize</c>, signed with the key of a platform service user of the tenant whose only policy allows
    /// <c>authz:Authorize</c> there: the call is authorized by the engine before the check is answered.
    /// </summary>
    [Benchmark]
    public async Task<Decision> AuthorizeWithTenantKey() => (await _tenantCaller!.Authorization.AuthorizeAsync(_single)).Decision;

    /// <summary>
    /// One <c>BatchAuthorize</c> of 100 checks: every check of the population's 10 principals (Allow, ExplicitDeny and
    /// ImplicitDeny, users and role sessions, 94 in all), then the first 6 again; figures are per check.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task<int> BatchAuthorize() => (await _authorization.BatchAuthorizeAsync(_batch)).Results.Count;

    private async Task StartAsync()
    {
        _server = await BenchmarkServer.StartAsync();
        _health = new Health.HealthClient(_server.Client.CallInvoker);
        _authorization = _server.Client.Authorization;
        _single = BenchmarkServer.Check(0, "ds/read-team-dataset").Request;
        var checks = BenchmarkServer.AllChecks.ToList();
        var batch = Enumerable.Range(0, BatchSize).Select(i => checks[i % checks.Count]).ToList();
        _batch = new BatchAuthorizeRequest { Checks = { batch.Select(c => c.Request) } };
        _batchExpected = [.. batch.Select(c => c.Expected)];

        Expect((await _health.CheckAsync(HealthRequest)).Status == HealthCheckResponse.Types.ServingStatus.Serving, "Health/Check did not answer SERVING");
        await _server.VerifyAsync(nameof(GrpcEndToEnd), async check => (await _authorization.AuthorizeAsync(check.Request)).Decision);
        ExpectBatch(await _authorization.BatchAuthorizeAsync(_batch));
    }

    /// <summary>A user of the benchmark tenant allowed only <c>authz:Authorize</c> in it, and a key of that user.</summary>
    private async Task<string> CreateTenantCallerKeyAsync()
    {
        var tenant = BenchmarkServer.TenantId;
        var admin = _server.Client.Admin;
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = tenant, UserName = "platform-checker" });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = tenant,
            UserName = "platform-checker",
            PolicyName = "authorize",
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"authz:Authorize","Resource":"arn:aws:iam::{{tenant}}:root"}]}""",
        });
        var key = (await admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { TenantId = tenant, UserName = "platform-checker" })).AccessKey;
        return $"{key.AccessKeyId}.{key.SecretAccessKey}";
    }

    private void ExpectBatch(BatchAuthorizeResponse response)
    {
        var decisions = response.Results.Select(r => r.Decision).ToArray();
        Expect(decisions.SequenceEqual(_batchExpected),
            $"BatchAuthorize answered [{string.Join(", ", decisions)}], expected [{string.Join(", ", _batchExpected)}]");
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{nameof(GrpcEndToEnd)}: {message}");
        }
    }
}
