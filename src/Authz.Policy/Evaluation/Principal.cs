using System.Diagnostics.CodeAnalysis;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>What kind of caller a request comes from.</summary>
public enum PrincipalKind
{
    /// <summary>An IAM user: <c>arn:aws:iam::A:user/path/name</c>.</summary>
    User,
    /// <summary>A role used directly: <c>arn:aws:iam::A:role/path/name</c> (evaluated like a session without a session policy).</summary>
    Role,
    /// <summary>A role session: <c>arn:aws:sts::A:assumed-role/role/session</c>.</summary>
    RoleSession,
    /// <summary>A federated user session: <c>arn:aws:sts::A:federated-user/name</c>.</summary>
    FederatedUser,
    /// <summary>The account root: <c>arn:aws:iam::A:root</c>.</summary>
    AccountRoot,
    /// <summary>An AWS service principal such as <c>sagemaker.amazonaws.com</c>.</summary>
    Service,
    /// <summary>An unauthenticated caller.</summary>
    Anonymous,
}

/// <summary>
/// A parsed request principal with everything principal matching needs precomputed, so that matching a
/// resource policy's <c>Principal</c> element allocates nothing.
/// </summary>
public sealed class Principal
{
    /// <summary>The principal as given (ARN, service name or <c>anonymous</c>).</summary>
    public required string Text { get; init; }
    /// <summary>Its kind.</summary>
    public required PrincipalKind Kind { get; init; }
    /// <summary>The 12-digit account, or null for services and anonymous callers.</summary>
    public string? Account { get; init; }
    /// <summary>The ARN partition (<c>aws</c>), when the principal is an ARN.</summary>
    public string? Partition { get; init; }
    /// <summary>For a role session, the role's name (sessions do not carry the role's path).</summary>
    public string? RoleName { get; init; }
    /// <summary>The friendly name: user name, role name or federated user name.</summary>
    public string? Name { get; init; }

    /// <summary>For sessions and roles, <c>account/roleName</c>: the key role principals are matched by.</summary>
    internal string? RoleKey => _roleKey ??= Account is not null && RoleName is not null ? Account + "/" + RoleName : null;
    private string? _roleKey;

    /// <summary>True for role sessions and federated user sessions, which session policies apply to.</summary>
    public bool IsSession => Kind is PrincipalKind.RoleSession or PrincipalKind.FederatedUser;

    /// <summary>The anonymous principal.</summary>
    public static Principal Anonymous { get; } = new() { Text = "anonymous", Kind = PrincipalKind.Anonymous };

    /// <summary>Parses a principal: an IAM or STS ARN, a service principal, or <c>anonymous</c>.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Principal? principal, [NotNullWhen(false)] out string? error)
    {
        principal = null;
        error = null;
        if (text == "anonymous" || text == "*")
        {
            principal = Anonymous;
            return true;
        }
        if (!text.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (text.Contains('.') && !text.Contains(':') && !text.Contains('/') && !text.Contains('*'))
            {
                principal = new Principal { Text = text, Kind = PrincipalKind.Service };
                return true;
            }
            error = $"invalid principal `{text}`: expected an IAM or STS ARN, a service principal or `anonymous`";
            return false;
        }
        if (!Arn.TryParse(text, out var arn) || !Arn.IsAccountId(arn.Value.Account) || arn.Value.Region.Length != 0)
        {
            error = $"invalid principal ARN `{text}`";
            return false;
        }
        var a = arn.Value;
        var resource = a.Resource;
        if (a.Service == "iam")
        {
            if (resource == "root")
            {
                principal = new Principal { Text = text, Kind = PrincipalKind.AccountRoot, Account = a.Account, Partition = a.Partition };
                return true;
            }
            if (TrySplitPathName(resource, "user/", out var userName))
            {
                principal = new Principal { Text = text, Kind = PrincipalKind.User, Account = a.Account, Partition = a.Partition, Name = userName };
                return true;
            }
            if (TrySplitPathName(resource, "role/", out var roleName))
            {
                principal = new Principal { Text = text, Kind = PrincipalKind.Role, Account = a.Account, Partition = a.Partition, Name = roleName, RoleName = roleName };
                return true;
            }
        }
        else if (a.Service == "sts")
        {
            if (resource.StartsWith("assumed-role/", StringComparison.Ordinal))
            {
                var parts = resource.Split('/');
                if (parts.Length == 3 && parts[1].Length > 0 && parts[2].Length > 0)
                {
                    principal = new Principal { Text = text, Kind = PrincipalKind.RoleSession, Account = a.Account, Partition = a.Partition, RoleName = parts[1], Name = parts[2] };
                    return true;
                }
            }
            else if (resource.StartsWith("federated-user/", StringComparison.Ordinal) && resource.Length > "federated-user/".Length && !resource["federated-user/".Length..].Contains('/'))
            {
                principal = new Principal { Text = text, Kind = PrincipalKind.FederatedUser, Account = a.Account, Partition = a.Partition, Name = resource["federated-user/".Length..] };
                return true;
            }
        }
        error = $"invalid principal ARN `{text}`: expected a user, role, root, assumed-role session or federated-user";
        return false;
    }

    private static bool TrySplitPathName(string resource, string prefix, [NotNullWhen(true)] out string? name)
    {
        name = null;
        if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = resource[prefix.Length..];
        var slash = rest.LastIndexOf('/');
        name = slash >= 0 ? rest[(slash + 1)..] : rest;
        return name.Length > 0 && !rest.Contains('*');
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
