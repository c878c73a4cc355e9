namespace Authz.Policy.Model;

/// <summary>The role a policy plays in an evaluation.</summary>
public enum PolicyType
{
    /// <summary>Attached to a user, group or role (inline or managed).</summary>
    Identity,
    /// <summary>Attached to a resource; its statements name principals.</summary>
    Resource,
    /// <summary>A role's trust policy (a resource policy on the role for <c>sts:AssumeRole*</c>).</summary>
    Trust,
    /// <summary>A permissions boundary on a user or role: it only limits.</summary>
    PermissionsBoundary,
    /// <summary>A tenant guardrail over principals (SCP-like): every level must allow.</summary>
    Guardrail,
    /// <summary>A tenant guardrail over resources (RCP-like): only its denies matter.</summary>
    ResourceGuardrail,
    /// <summary>A session policy passed when a role session was created: it only limits.</summary>
    Session,
}
