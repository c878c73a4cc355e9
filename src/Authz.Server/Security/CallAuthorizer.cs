using Authz.Grains;
using Authz.Grains.Decisions;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Authz.Server.Security;

/// <summary>
/// Authorizes every call of the <c>authz.v1</c> services once it is authenticated: maps it to actions with
/// <see cref="AdminActions"/> and decides each with the caller's own policies, through the same
/// <see cref="DecisionService"/> (engine and cache) as <c>Authorize</c>. The rules, in order:
/// <list type="number">
/// <item>The system administrator (bootstrap key) may do everything.</item>
/// <item>A <see cref="AdminAction.SystemOnly"/> call needs a principal of the system tenant.</item>
/// <item>A principal of the system tenant is evaluated as in the system tenant: its identity policies decide on every
/// tenant's ARNs (like an organization's management account).</item>
/// <item>Anyone else is evaluated in the tenant the call acts in. In their own tenant their identity policies decide; in
/// another tenant the engine's cross-tenant rule applies: their identity policy and a resource policy of that tenant on
/// the ARN must both allow (e.g. tenant B grants <c>authz:Authorize</c> to a platform principal of tenant A with a
/// resource policy on <c>arn:aws:iam::B:root</c>).</item>
/// </list>
/// A key whose user or role was deleted (and perhaps created again under the same name) is refused. A refusal is
/// PERMISSION_DENIED with a message that names the caller and the action but not the target, so it is the same whether
/// the target exists or not.
/// </summary>
public sealed class CallAuthorizer(DecisionService decisions)
{
    private const string AdminMethodPrefix = "/authz.v1.Admin/";

    /// <summary>
    /// Authorizes a unary call of the authenticated caller, synchronously when the caller's policies are cached. Returns
    /// the audit context an allowed admin call carries to the grain that commits it (<see cref="Carry"/>), or null.
    /// </summary>
    public ValueTask<AuditContext?> AuthorizeCallAsync(object request, ServerCallContext context)
    {
        var caller = CallerIdentity.Of(context);
        if (request is not IMessage message || !AdminActions.Knows(context.Method))
        {
            throw Denied(caller, context.Method);
        }

        var admin = context.Method.StartsWith(AdminMethodPrefix, StringComparison.Ordinal);
        if (caller.IsSystemAdministrator && !admin)
        {
            return ValueTask.FromResult<AuditContext?>(null); // allowed everything, and a check has no audit record
        }

        var authorized = AuthorizeAsync(caller, context.Method, message, context.CancellationToken);
        return authorized.IsCompletedSuccessfully
            ? ValueTask.FromResult(Audit(admin, authorized.Result, caller, context))
            : AuditAsync(authorized, admin, caller, context);

        static async ValueTask<AuditContext?> AuditAsync(ValueTask<AdminAction?> pending, bool admin, CallerIdentity caller, ServerCallContext context) =>
            Audit(admin, await pending, caller, context);
    }

    /// <summary>
    /// Makes every grain call of the request carry <paramref name="audit"/>, for the audit record of the change. Call it
    /// in the method that goes on with the call: an async method's changes to the request context end with it.
    /// </summary>
    public static void Carry(AuditContext? audit)
    {
        if (audit is not null)
        {
            Orleans.Runtime.RequestContext.Set(AuditContext.Key, audit);
        }
    }

    /// <summary>The refusal of a streaming call: the services map none.</summary>
    public static RpcException RefuseStreaming(ServerCallContext context) => Denied(CallerIdentity.Of(context), context.Method);

    /// <summary>The one refusal: the same for a missing target and for another tenant's.</summary>
    public static string DeniedMessage(string callerArn, string action) => $"`{callerArn}` is not authorized to perform `{action}`";

    private async ValueTask<bool> IsAllowedAsync(CallerIdentity caller, AdminAction action, CancellationToken cancellationToken)
    {
        if (caller.IsSystemAdministrator)
        {
            return true;
        }

        var system = caller.TenantId == AccessKeySecrets.SystemTenantId;
        if (action.SystemOnly && !system)
        {
            return false;
        }

        // A malformed or absent tenant is evaluated in the caller's own tenant; the service then refuses the input.
        var tenant = system || !Arn.IsAccountId(action.TenantId) ? caller.TenantId : action.TenantId;
        PreparedCheck prepared;
        try
        {
            prepared = await decisions.PrepareAsync(new CheckInput(tenant, caller.Arn, action.Action, action.Resource, null, 0), cancellationToken);
        }
        catch (CheckInputException)
        {
            return false;
        }

        return prepared.Principal is { } principal && principal.Snapshot.Id == caller.PrincipalId
            && prepared.Evaluate(trace: null) == Decision.Allow;
    }

    /// <summary>Every action of the call must be allowed; returns the first, which an admin call's audit record names.</summary>
    private async ValueTask<AdminAction?> AuthorizeAsync(CallerIdentity caller, string method, IMessage message, CancellationToken cancellationToken)
    {
        AdminAction? first = null;
        foreach (var action in AdminActions.Of(method, message))
        {
            if (!await IsAllowedAsync(caller, action, cancellationToken))
            {
                throw Denied(caller, action.Action);
            }

            first ??= action;
        }

        return first;
    }

    private static AuditContext? Audit(bool admin, AdminAction? allowed, CallerIdentity caller, ServerCallContext context) =>
        admin && allowed is { } action
            ? new AuditContext
            {
                CallerArn = caller.Arn,
                AccessKeyId = caller.AccessKeyId,
                Rpc = context.Method[(context.Method.LastIndexOf('/') + 1)..],
                TargetArn = action.Resource,
                RequestId = RequestIds.Of(context),
            }
            : null;

    private static RpcException Denied(CallerIdentity caller, string action)
    {
        var status = new Google.Rpc.Status { Code = (int)Code.PermissionDenied, Message = DeniedMessage(caller.Arn, action) };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = "ACCESS_DENIED", Domain = "authz" }));
        return status.ToRpcException();
    }
}
