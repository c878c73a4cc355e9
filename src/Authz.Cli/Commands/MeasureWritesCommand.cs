using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Authz.Client;
using Authz.V1;
using HdrHistogram;

namespace Authz.Cli.Commands;

/// <summary>
/// <c>authz measure-writes</c>: the latency of acknowledged admin writes (each durable before it returns), one at a time,
/// per kind of write, as HDR percentiles. It creates a scratch tenant and deletes what it wrote.
/// </summary>
public static class MeasureWritesCommand
{
    private const string Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::ml-data/${aws:username}/*"}]}""";

    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "Server address host:port", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AUTHZ_TARGET") ?? "127.0.0.1:50051" };
        var apiKey = new Option<string?>("--api-key") { Description = "Access key `<id>.<secret>` (default: AUTHZ_API_KEY)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AUTHZ_API_KEY") };
        var count = new Option<int>("--count") { Description = "Writes of each kind", DefaultValueFactory = _ => 200 };
        var tenant = new Option<string>("--tenant") { Description = "Scratch tenant id (12 digits); created and deleted", DefaultValueFactory = _ => "799999999999" };
        var command = new Command("measure-writes", "Measure acknowledged admin write latency (p50/p90/p99/max) per kind of write") { target, apiKey, count, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!AuthzTarget.TryParse(parse.GetValue(target), out var parsed, out var error))
            {
                Console.Error.WriteLine($"error: --target: {error}");
                return 2;
            }

            var n = parse.GetValue(count);
            if (n < 1)
            {
                Console.Error.WriteLine("error: --count must be at least 1");
                return 2;
            }

            using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [parsed], ApiKey = parse.GetValue(apiKey) });
            try
            {
                await RunAsync(client.Admin, parse.GetValue(tenant)!, n, Console.Out, cancellationToken);
                return 0;
            }
            catch (Grpc.Core.RpcException ex)
            {
                Console.Error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Writes <paramref name="n"/> of each kind, sequentially, and prints the percentiles.</summary>
    public static async Task RunAsync(Authz.V1.Admin.AdminClient admin, string tenantId, int n, TextWriter output, CancellationToken cancellationToken)
    {
        await admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenantId, Name = "write-latency" }, cancellationToken: cancellationToken);
        var policy = await admin.CreatePolicyAsync(new CreatePolicyRequest { TenantId = tenantId, PolicyName = "measure", PolicyDocument = Document }, cancellationToken: cancellationToken);
        var policyArn = policy.Policy.Arn;
        var kinds = new (string Name, Func<int, Task> Write)[]
        {
            ("CreateUser", i => admin.CreateUserAsync(new CreateUserRequest { TenantId = tenantId, UserName = $"u{i}" }, cancellationToken: cancellationToken).ResponseAsync),
            ("PutUserPolicy", i => admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = tenantId, UserName = $"u{i}", PolicyName = "inline", PolicyDocument = Document }, cancellationToken: cancellationToken).ResponseAsync),
            ("AttachUserPolicy", i => admin.AttachUserPolicyAsync(new AttachUserPolicyRequest { TenantId = tenantId, UserName = $"u{i}", PolicyArn = policyArn }, cancellationToken: cancellationToken).ResponseAsync),
            ("DetachUserPolicy", i => admin.DetachUserPolicyAsync(new DetachUserPolicyRequest { TenantId = tenantId, UserName = $"u{i}", PolicyArn = policyArn }, cancellationToken: cancellationToken).ResponseAsync),
            ("DeleteUserPolicy", i => admin.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { TenantId = tenantId, UserName = $"u{i}", PolicyName = "inline" }, cancellationToken: cancellationToken).ResponseAsync),
            ("DeleteUser", i => admin.DeleteUserAsync(new DeleteUserRequest { TenantId = tenantId, UserName = $"u{i}" }, cancellationToken: cancellationToken).ResponseAsync),
        };

        output.WriteLine($"{"write",-18} {"count",6} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}");
        var all = new LongHistogram(TimeSpan.FromMinutes(1).Ticks, 3);
        foreach (var (name, write) in kinds)
        {
            var histogram = new LongHistogram(TimeSpan.FromMinutes(1).Ticks, 3);
            for (var i = 0; i < n; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await write(i);
                var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
                histogram.RecordValue(elapsed);
                all.RecordValue(elapsed);
            }

            output.WriteLine(Row(name, histogram));
        }

        output.WriteLine(Row("all", all));
        await admin.DeletePolicyAsync(new DeletePolicyRequest { PolicyArn = policyArn }, cancellationToken: cancellationToken);
        await admin.DeleteTenantAsync(new DeleteTenantRequest { TenantId = tenantId }, cancellationToken: cancellationToken);
    }

    private static string Row(string name, LongHistogram h)
    {
        static string Ms(long ticks) => (ticks / (double)TimeSpan.TicksPerMillisecond).ToString("F2", CultureInfo.InvariantCulture);
        return $"{name,-18} {h.TotalCount,6} {Ms(h.GetValueAtPercentile(50)),8} {Ms(h.GetValueAtPercentile(90)),8} {Ms(h.GetValueAtPercentile(99)),8} {Ms(h.GetMaxValue()),8}";
    }
}
