using System.Globalization;
using Authz.Client;
using Authz.Population;
using Authz.V1;
using Grpc.Core;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// Sends one call of the workload. Implementations draw the request from the given <see cref="Random"/> synchronously,
/// before their first await, so the open loop's dispatcher can share one <see cref="Random"/>.
/// </summary>
public interface ICallDriver
{
    /// <summary>The number of checks one call carries.</summary>
    int ChecksPerCall { get; }

    /// <summary>Sends one call and reports its outcome; never throws for a failed call.</summary>
    Task<CallOutcome> SendAsync(Random random, CancellationToken cancellationToken);
}

/// <summary>Single <c>Authorize</c> calls, each answer checked against the expected decision.</summary>
public sealed class AuthorizeDriver(AuthzClient client, Workload workload, TimeSpan timeout) : ICallDriver
{
    /// <inheritdoc />
    public int ChecksPerCall => 1;

    /// <inheritdoc />
    public async Task<CallOutcome> SendAsync(Random random, CancellationToken cancellationToken)
    {
        var check = workload.Next(random);
        try
        {
            var response = await client.CallInvoker.AsyncUnaryCall(WireCalls.Authorize, null,
                new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken), check).ConfigureAwait(false);
            var mismatch = response.Decision != check.Expected;
            return new CallOutcome(1, DecisionCounts.Of(response.Decision), mismatch ? 1 : 0, null,
                mismatch ? DescribeMismatch(check.Check, response) : null);
        }
        catch (RpcException ex)
        {
            return CallOutcome.Failed(1, ex.StatusCode.ToString(), ex.Status.Detail);
        }
    }

    /// <summary>`name`: principal action resource: expected X, got Y (reason).</summary>
    internal static string DescribeMismatch(PopulationCheck check, AuthorizeResponse response) =>
        string.Create(CultureInfo.InvariantCulture,
            $"`{check.Name}`: `{check.Request.Principal}` `{check.Request.Action}` `{check.Request.Resource}`: expected {check.Expected}, got {response.Decision}")
        + (response.Reason.Length > 0 ? $" ({response.Reason})" : string.Empty);
}

/// <summary><c>BatchAuthorize</c> calls of a fixed number of independently drawn checks, each answer checked.</summary>
public sealed class BatchAuthorizeDriver(AuthzClient client, Workload workload, int batchSize, TimeSpan timeout) : ICallDriver
{
    /// <summary>The most checks the contract allows in one call.</summary>
    public const int MaxBatchSize = 100;

    /// <inheritdoc />
    public int ChecksPerCall => batchSize;

    /// <inheritdoc />
    public async Task<CallOutcome> SendAsync(Random random, CancellationToken cancellationToken)
    {
        var checks = workload.NextBatch(random, batchSize);
        try
        {
            var answers = await client.CallInvoker.AsyncUnaryCall(WireCalls.BatchAuthorize, null,
                new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken), checks).ConfigureAwait(false);
            DecisionCounts decisions = default;
            var mismatches = 0;
            string? example = null;
            for (var i = 0; i < checks.Length; i++)
            {
                // A missing answer is a mismatch: the caller would have no decision for that check.
                var decision = i < answers.Count ? answers.DecisionAt(i) : Decision.Unspecified;
                decisions += DecisionCounts.Of(decision);
                if (decision != checks[i].Expected)
                {
                    mismatches++;
                    if (example is null)
                    {
                        var result = i < answers.Count ? answers.Full(i) : new AuthorizeResponse { Reason = "no result at this index" };
                        example = $"checks[{i}] " + AuthorizeDriver.DescribeMismatch(checks[i].Check, result);
                    }
                }
            }
            if (answers.Count > checks.Length)
            {
                mismatches += answers.Count - checks.Length;
                example ??= $"{answers.Count} results for {checks.Length} checks";
            }
            return new CallOutcome(checks.Length, decisions, mismatches, null, example);
        }
        catch (RpcException ex)
        {
            return CallOutcome.Failed(checks.Length, ex.StatusCode.ToString(), ex.Status.Detail);
        }
    }
}
