using System.Globalization;
using Authz.Grains;
using Authz.Server.Security;
using Authz.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Authz.Server.Limits;

/// <summary>
/// Applies the per-tenant rate limits (<see cref="TenantRateLimiter"/>) once the caller is authenticated and the call
/// authorized, so only a caller allowed to act in a tenant can spend that tenant's budget. Checks are charged to the
/// tenant they ask about (each check of a batch, each action/resource pair of a simulation), admin calls to the tenant
/// they act in; a tenant id that is not one is charged to the caller's own tenant (the service then refuses the input).
/// A refusal is RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> detail and a <c>retry-after-ms</c> trailer.
/// </summary>
public sealed class CallRateLimits(TenantRateLimiter limiter, IOptions<AuthzLimitsOptions> options)
{
    /// <summary>The trailer that carries the retry delay in whole milliseconds, for clients that do not read status details.</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    private readonly int _maxBatchSize = options.Value.MaxBatchSize;

    /// <summary>Charges a unary call to its tenants' budgets, or throws the refusal.</summary>
    public void Charge(object request, ServerCallContext context)
    {
        if (limiter.Enabled)
        {
            switch (request)
            {
                case AuthorizeRequest check:
                    Acquire(RateLimitKind.Checks, TenantOrCallers(AdminActions.CheckTenantOf(check), context), 1);
                    break;
                case BatchAuthorizeRequest batch:
                    AcquireBatch(batch, context);
                    break;
                case SimulatePrincipalPolicyRequest s:
                    Acquire(RateLimitKind.Checks, ActingTenant(context, s), Pairs(s.ActionNames.Count, s.ResourceArns.Count));
                    break;
                case SimulateCustomPolicyRequest s:
                    Acquire(RateLimitKind.Checks, ActingTenant(context, s), Pairs(s.ActionNames.Count, s.ResourceArns.Count));
                    break;
                case IMessage message:
                    Acquire(RateLimitKind.Admin, ActingTenant(context, message), 1);
                    break;
            }
        }
    }

    private void Acquire(RateLimitKind kind, ReadOnlySpan<char> tenantId, int cost)
    {
        if (!limiter.TryAcquire(kind, tenantId, cost, out var refusal))
        {
            throw Refused(refusal);
        }
    }

    /// <summary>Each check is charged to its own tenant; all or nothing, so a refused batch costs no tenant anything.</summary>
    private void AcquireBatch(BatchAuthorizeRequest batch, ServerCallContext context)
    {
        if (batch.Checks.Count == 0 || batch.Checks.Count > _maxBatchSize)
        {
            return; // the service refuses it as INVALID_ARGUMENT, at no cost
        }

        // Most batches ask about one tenant: charge it without building a table.
        var first = TenantOrCallers(AdminActions.CheckTenantOf(batch.Checks[0]), context);
        var oneTenant = true;
        for (var i = 1; i < batch.Checks.Count && oneTenant; i++)
        {
            oneTenant = TenantOrCallers(AdminActions.CheckTenantOf(batch.Checks[i]), context).SequenceEqual(first);
        }

        if (oneTenant)
        {
            Acquire(RateLimitKind.Checks, first, batch.Checks.Count);
            return;
        }

        var costs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var check in batch.Checks)
        {
            var tenant = TenantOrCallers(AdminActions.CheckTenantOf(check), context).ToString();
            costs[tenant] = costs.GetValueOrDefault(tenant) + 1;
        }

        var taken = new List<KeyValuePair<string, int>>(costs.Count);
        foreach (var cost in costs)
        {
            if (!limiter.TryAcquire(RateLimitKind.Checks, cost.Key, cost.Value, out var refusal))
            {
                foreach (var (tenant, count) in taken)
                {
                    limiter.Release(RateLimitKind.Checks, tenant, count);
                }

                throw Refused(refusal);
            }

            taken.Add(cost);
        }
    }

    /// <summary>The tenant the authorization table says the call acts in.</summary>
    private static ReadOnlySpan<char> ActingTenant(ServerCallContext context, IMessage message)
    {
        foreach (var action in AdminActions.Of(context.Method, message))
        {
            return TenantOrCallers(action.TenantId, context);
        }

        return CallerIdentity.Of(context).TenantId;
    }

    private static ReadOnlySpan<char> TenantOrCallers(ReadOnlySpan<char> tenantId, ServerCallContext context) =>
        IsTenantId(tenantId) ? tenantId : CallerIdentity.Of(context).TenantId;

    private static bool IsTenantId(ReadOnlySpan<char> value) => value.Length == 12 && !value.ContainsAnyExceptInRange('0', '9');

    /// <summary>The action/resource pairs a simulation evaluates, within the service's own bound of 1,000.</summary>
    private static int Pairs(int actions, int resources) => Math.Clamp(actions * Math.Max(1, resources), 1, 1000);

    /// <summary>RESOURCE_EXHAUSTED naming the caller's tenant and its limit, with RetryInfo and the retry-after-ms trailer.</summary>
    public static RpcException Refused(RateLimitRefusal refusal)
    {
        var what = refusal.Kind == RateLimitKind.Checks ? "checks" : "admin calls";
        var milliseconds = (long)refusal.RetryAfter.TotalMilliseconds;
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"tenant `{refusal.TenantId}` is over its rate limit of {refusal.PerSecond} {what} per second (burst {refusal.Burst}) on this server; retry in {milliseconds} ms"),
        };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(refusal.RetryAfter) }));
        status.Details.Add(Any.Pack(new QuotaFailure
        {
            Violations = { new QuotaFailure.Types.Violation { Subject = AdminActions.Root(refusal.TenantId), Description = $"rate limit of {what}" } },
        }));
        var trailers = new Metadata
        {
            { "grpc-status-details-bin", status.ToByteArray() },
            { RetryAfterTrailer, milliseconds.ToString(CultureInfo.InvariantCulture) },
        };
        return new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, status.Message), trailers);
    }
}
