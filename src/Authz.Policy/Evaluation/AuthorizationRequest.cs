using System.Diagnostics.CodeAnalysis;
using Authz.Policy.Model;

namespace Authz.Policy.Evaluation;

/// <summary>One question: may <see cref="Principal"/> do <see cref="Action"/> on <see cref="Resource"/> in <see cref="Context"/>?</summary>
public sealed class AuthorizationRequest
{
    /// <summary>The caller.</summary>
    public required Principal Principal { get; init; }
    /// <summary><c>service:Action</c>.</summary>
    public required string Action { get; init; }
    /// <summary>A resource ARN, or <c>*</c> for actions without a resource.</summary>
    public required string Resource { get; init; }
    /// <summary>The tenant (account) that owns the resource; null means the principal's own.</summary>
    public string? ResourceAccount { get; init; }
    /// <summary>The whole request context.</summary>
    public RequestContext Context { get; init; } = RequestContext.Empty;

    /// <summary>The account that owns the resource: explicit, else the ARN's account field, else the principal's.</summary>
    public string? EffectiveResourceAccount =>
        ResourceAccount ?? (ArnAccount(Resource) is { IsEmpty: false } account ? account.ToString() : Principal.Account);

    /// <summary>Whether the principal and the resource belong to the same account; allocation-free.</summary>
    public bool IsSameAccount
    {
        get
        {
            if (Principal.Account is not { } principalAccount)
                return false;
            if (ResourceAccount is not null)
                return ResourceAccount == principalAccount;
            var account = ArnAccount(Resource);
            return account.IsEmpty || account.SequenceEqual(principalAccount);
        }
    }

    /// <summary>The account field (after the fourth colon) of an ARN, or empty.</summary>
    private static ReadOnlySpan<char> ArnAccount(string resource)
    {
        var span = resource.AsSpan();
        for (var i = 0; i < 4; i++)
        {
            var colon = span.IndexOf(':');
            if (colon < 0)
                return default;
            span = span[(colon + 1)..];
        }
        var end = span.IndexOf(':');
        return end < 0 ? default : span[..end];
    }

    /// <summary>Whether <paramref name="action"/> is <c>service:Action</c> and <paramref name="resource"/> an ARN or <c>*</c>.</summary>
    public static bool TryCheckShape(string action, string resource, [NotNullWhen(false)] out string? error)
    {
        var colon = action.IndexOf(':');
        if (colon <= 0 || colon == action.Length - 1 || action.AsSpan().IndexOfAny("*? ") >= 0)
        {
            error = $"invalid action `{action}`: expected `service:Action`";
            return false;
        }
        if (resource != "*" && !Arn.HasArnShape(resource))
        {
            error = $"invalid resource `{resource}`: expected an ARN or `*`";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Validates and builds a request, with a clear error for a bad principal, action or resource.</summary>
    public static bool TryCreate(string principal, string action, string resource, string? resourceAccount, RequestContext? context,
        [NotNullWhen(true)] out AuthorizationRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        if (!Principal.TryParse(principal, out var p, out error) || !TryCheckShape(action, resource, out error))
            return false;
        if (resourceAccount is not null && !Arn.IsAccountId(resourceAccount))
        {
            error = $"invalid resource account `{resourceAccount}`: expected 12 digits";
            return false;
        }
        request = new AuthorizationRequest
        {
            Principal = p,
            Action = action,
            Resource = resource,
            ResourceAccount = resourceAccount,
            Context = context ?? RequestContext.Empty,
        };
        return true;
    }
}
