using Grpc.Core;

namespace Authz.Server.Security;

/// <summary>Who makes a call: the principal an access key is bound to, or the system administrator.</summary>
/// <param name="TenantId">The caller's tenant.</param>
/// <param name="Arn">The principal ARN the call is made as (and authorized as).</param>
/// <param name="PrincipalId">The bound user's or role's unique id; empty for the system administrator.</param>
/// <param name="AccessKeyId">The key that signed the call; empty when authentication is disabled.</param>
/// <param name="IsSystemAdministrator">The bootstrap key (or authentication disabled): full access to every tenant.</param>
public sealed record CallerIdentity(string TenantId, string Arn, string PrincipalId, string AccessKeyId, bool IsSystemAdministrator)
{
    /// <summary>The system administrator: the root of the system tenant.</summary>
    public static CallerIdentity SystemAdministrator(string accessKeyId) =>
        new(AccessKeySecrets.SystemTenantId, $"arn:aws:iam::{AccessKeySecrets.SystemTenantId}:root", "", accessKeyId, IsSystemAdministrator: true);

    // A request feature rather than ServerCallContext.UserState, which is HttpContext.Items: a dictionary per call.
    internal void AttachTo(ServerCallContext context) => context.GetHttpContext().Features.Set(this);

    /// <summary>The caller that authentication (CallAdmission) put into the call context.</summary>
    public static CallerIdentity Of(ServerCallContext context) =>
        context.GetHttpContext().Features.Get<CallerIdentity>()
            ?? throw new InvalidOperationException("the call has no authenticated caller; is the admission interceptor registered?");
}
