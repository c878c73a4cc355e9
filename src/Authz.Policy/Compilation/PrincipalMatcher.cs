using System.Collections.Frozen;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;

namespace Authz.Policy.Compilation;

/// <summary>How a resource policy statement's principal element matched the caller.</summary>
public enum PrincipalMatch
{
    /// <summary>The statement does not name the caller.</summary>
    None,
    /// <summary>
    /// The caller is covered through something other than its own ARN: <c>*</c>, its account, or (for a session) its
    /// role's ARN. Within one tenant such a grant is still limited by a permissions boundary and a session policy.
    /// </summary>
    Indirect,
    /// <summary>
    /// The statement names the caller's own ARN: an IAM user ARN or a session ARN. Within one tenant such a grant is not
    /// limited by an implicit deny in identity policies, permissions boundaries or session policies.
    /// </summary>
    Direct,
}

/// <summary>A compiled <c>Principal</c>/<c>NotPrincipal</c> element. Immutable.</summary>
public sealed class PrincipalMatcher
{
    private readonly bool _everyone;
    private readonly FrozenSet<string> _accounts;
    private readonly FrozenSet<string> _exactArns;
    // Roles are matched by (account, role name): a session ARN carries the role's name but not its path.
    private readonly FrozenSet<string> _roles;
    private readonly FrozenSet<string> _services;
    private readonly FrozenSet<string> _federated;

    /// <summary>True for <c>NotPrincipal</c>.</summary>
    public bool Negated { get; }

    internal PrincipalMatcher(PrincipalElement element)
    {
        Negated = element.Negated;
        _everyone = element.IsWildcard;
        var accounts = new HashSet<string>(StringComparer.Ordinal);
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        var services = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var federated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in element.Entries)
        {
            foreach (var located in entry.Values)
            {
                var value = located.Value;
                switch (entry.Type)
                {
                    case "AWS":
                        if (value == "*")
                            _everyone = true;
                        else if (Arn.IsAccountId(value))
                            accounts.Add(value);
                        else if (Arn.TryParse(value, out var arn))
                        {
                            var a = arn.Value;
                            if (a.Service == "iam" && a.Resource == "root")
                                accounts.Add(a.Account);
                            else if (a.Service == "iam" && a.Resource.StartsWith("role/", StringComparison.Ordinal))
                            {
                                exact.Add(value);
                                roles.Add(RoleKey(a.Account, a.Resource[(a.Resource.LastIndexOf('/') + 1)..]));
                            }
                            else
                                exact.Add(value);
                        }
                        break;
                    case "Service":
                        if (value == "*") _everyone = true;
                        else services.Add(value);
                        break;
                    case "Federated":
                        federated.Add(value);
                        break;
                    // CanonicalUser principals identify S3 canonical ids; Authz callers never present one.
                }
            }
        }
        _accounts = accounts.ToFrozenSet(StringComparer.Ordinal);
        _exactArns = exact.ToFrozenSet(StringComparer.Ordinal);
        _roles = roles.ToFrozenSet(StringComparer.Ordinal);
        _services = services.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _federated = federated.ToFrozenSet(StringComparer.Ordinal);
    }

    private static string RoleKey(string account, string roleName) => account + "/" + roleName;

    /// <summary>
    /// Whether the statement applies to <paramref name="principal"/>. For <c>NotPrincipal</c>, the statement applies
    /// when no listed principal covers the caller, and the match is <see cref="PrincipalMatch.Indirect"/>.
    /// </summary>
    public PrincipalMatch Match(Principal principal)
    {
        var match = MatchListed(principal);
        if (Negated)
            return match == PrincipalMatch.None ? PrincipalMatch.Indirect : PrincipalMatch.None;
        return match;
    }

    private PrincipalMatch MatchListed(Principal principal)
    {
        switch (principal.Kind)
        {
            case PrincipalKind.User or PrincipalKind.FederatedUser or PrincipalKind.AccountRoot:
                if (_exactArns.Contains(principal.Text))
                    return PrincipalMatch.Direct;
                break;
            case PrincipalKind.RoleSession:
                if (_exactArns.Contains(principal.Text))
                    return PrincipalMatch.Direct;
                if (_roles.Count > 0 && _roles.Contains(principal.RoleKey!))
                    return PrincipalMatch.Indirect;
                break;
            case PrincipalKind.Role:
                if (_exactArns.Contains(principal.Text))
                    return PrincipalMatch.Indirect;
                break;
            case PrincipalKind.Service:
                if (_services.Contains(principal.Text))
                    return PrincipalMatch.Direct;
                break;
        }
        if (principal.Account is { } account && _accounts.Contains(account))
            return PrincipalMatch.Indirect;
        if (principal.Kind == PrincipalKind.FederatedUser && _federated.Contains(principal.Text))
            return PrincipalMatch.Direct;
        return _everyone ? PrincipalMatch.Indirect : PrincipalMatch.None;
    }
}
