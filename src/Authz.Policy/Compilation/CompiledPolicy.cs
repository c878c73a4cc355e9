using System.Collections.Immutable;
using Authz.Policy.Model;

namespace Authz.Policy.Compilation;

/// <summary>
/// A compiled policy: its statements with matchers, an action index, and flags. Immutable, so one instance can be
/// shared by every principal it is attached to and read from any thread without locks.
/// </summary>
public sealed class CompiledPolicy
{
    /// <summary>The policy's id: a managed policy ARN, an inline policy name, or any caller-chosen name.</summary>
    public string Id { get; }
    /// <summary>The version id (<c>v3</c>) for managed policies; null otherwise.</summary>
    public string? VersionId { get; }
    /// <summary>The role the policy plays.</summary>
    public PolicyType Type { get; }
    /// <summary>The document's language version.</summary>
    public PolicyLanguageVersion LanguageVersion { get; }
    /// <summary>Statements in document order.</summary>
    public ImmutableArray<CompiledStatement> Statements { get; }
    /// <summary>The action index over <see cref="Statements"/>.</summary>
    public ActionIndex Index { get; }
    /// <summary>True when any statement is a Deny.</summary>
    public bool HasDeny { get; }
    /// <summary>True when any statement is an Allow.</summary>
    public bool HasAllow { get; }

    internal CompiledPolicy(string id, string? versionId, PolicyType type, PolicyLanguageVersion languageVersion, ImmutableArray<CompiledStatement> statements)
    {
        Id = id;
        VersionId = versionId;
        Type = type;
        LanguageVersion = languageVersion;
        Statements = statements;
        foreach (var s in statements)
            s.Policy = this;
        Index = new ActionIndex(statements);
        HasDeny = statements.Any(s => s.Effect == Effect.Deny);
        HasAllow = statements.Any(s => s.Effect == Effect.Allow);
    }

    /// <inheritdoc />
    public override string ToString() => VersionId is null ? $"{Type} {Id}" : $"{Type} {Id} ({VersionId})";
}
