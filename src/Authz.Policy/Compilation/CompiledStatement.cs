using System.Collections.Immutable;
using Authz.Policy.Conditions;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;

namespace Authz.Policy.Compilation;

/// <summary>A compiled statement: matchers for action, resource and principal, and pre-parsed conditions. Immutable.</summary>
public sealed class CompiledStatement
{
    /// <summary>The policy the statement belongs to.</summary>
    public CompiledPolicy Policy { get; internal set; } = null!;
    /// <summary>0-based index in the policy's statement list.</summary>
    public required int Index { get; init; }
    /// <summary>The statement id, if any.</summary>
    public string? Sid { get; init; }
    /// <summary>Allow or Deny.</summary>
    public required Effect Effect { get; init; }
    /// <summary>True for <c>NotAction</c>.</summary>
    public required bool NotAction { get; init; }
    /// <summary>Action patterns (case-insensitive).</summary>
    public required ImmutableArray<WildcardPattern> Actions { get; init; }
    /// <summary>True for <c>NotResource</c>.</summary>
    public bool NotResource { get; init; }
    /// <summary>Resource patterns, or default when the statement has no resource element (it then covers every resource).</summary>
    public ImmutableArray<WildcardPattern> Resources { get; init; }
    /// <summary>Principal matcher for resource-based statements; null for identity-style statements.</summary>
    public PrincipalMatcher? Principal { get; init; }
    /// <summary>Conditions, AND-ed.</summary>
    public required ImmutableArray<CompiledCondition> Conditions { get; init; }

    /// <summary>Whether the statement's action element covers <paramref name="action"/>.</summary>
    public bool MatchesAction(string action)
    {
        var hit = false;
        foreach (var p in Actions)
        {
            if (p.IsMatch(action))
            {
                hit = true;
                break;
            }
        }
        return hit != NotAction;
    }

    /// <summary>Whether the statement's resource element covers <paramref name="resource"/>, resolving variables.</summary>
    public bool MatchesResource(string resource, RequestContext context)
    {
        if (Resources.IsDefault)
            return true;
        var hit = false;
        foreach (var p in Resources)
        {
            if (p.IsMatch(resource, context))
            {
                hit = true;
                break;
            }
        }
        return hit != NotResource;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Policy?.Id}#{Index}{(Sid is null ? "" : " (" + Sid + ")")}";
}
