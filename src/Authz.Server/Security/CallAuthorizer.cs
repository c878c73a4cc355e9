using Authz.Grains.Decisions;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;

namespace Authz.Server.Security;

/// <summary>
/// Decides whether a caller may make a call, with the caller's own policies, through the same <see cref="DecisionService"/>
/// (engine and cache) as <c>Authorize</c>. The rules, in order:
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
/// A key whose user or role was deleted (and perhaps created again under the same name) is refused.
/// </summary>
public sealed class CallAuthorizer(DecisionService decisions)
{
    public async ValueTask<bool> IsAllowedAsync(CallerIdentity caller, AdminAction action, CancellationToken cancellationToken)
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
}
