using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Authz.Policy.Compilation;

/// <summary>
/// Maps an action to the statements that may cover it, built once per policy (minio's action index). Statements
/// whose actions are all literal are found by exact lookup; statements with wildcards after a literal service prefix
/// are found by service; the rest (wildcard services, <c>NotAction</c>) are always candidates. Each statement lives
/// in exactly one kind of bucket, so no statement is visited twice for one action. A policy set builds one index over
/// all of its identity policies, so a check does two lookups however many policies are attached.
/// </summary>
public sealed class ActionIndex
{
    private readonly FrozenDictionary<string, CompiledStatement[]> _exact;
    private readonly FrozenDictionary<string, CompiledStatement[]>.AlternateLookup<ReadOnlySpan<char>> _byService;
    private readonly CompiledStatement[] _always;

    internal ActionIndex(IEnumerable<CompiledStatement> statements)
    {
        var exact = new Dictionary<string, List<CompiledStatement>>(StringComparer.OrdinalIgnoreCase);
        var byService = new Dictionary<string, List<CompiledStatement>>(StringComparer.OrdinalIgnoreCase);
        var always = new List<CompiledStatement>();
        foreach (var s in statements)
        {
            if (s.NotAction || s.Actions.Any(a => !HasLiteralService(a.Source)))
            {
                always.Add(s);
                continue;
            }
            if (s.Actions.All(a => a.IsLiteral))
            {
                foreach (var action in s.Actions.Select(a => a.Literal!).Distinct(StringComparer.OrdinalIgnoreCase))
                    Add(exact, action, s);
                continue;
            }
            foreach (var service in s.Actions.Select(a => Service(a.Source)).Distinct(StringComparer.OrdinalIgnoreCase))
                Add(byService, service, s);
        }
        _exact = exact.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        _byService = byService.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _always = [.. always];
    }

    private static void Add(Dictionary<string, List<CompiledStatement>> map, string key, CompiledStatement s)
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = [];
        list.Add(s);
    }

    private static bool HasLiteralService(string pattern)
    {
        var colon = pattern.IndexOf(':');
        return colon > 0 && pattern.AsSpan(0, colon).IndexOfAny('*', '?') < 0;
    }

    private static string Service(string pattern) => pattern[..pattern.IndexOf(':')];

    /// <summary>Statements whose action element is exactly <paramref name="action"/> (no further action check needed).</summary>
    public ReadOnlySpan<CompiledStatement> Exact(string action) =>
        _exact.TryGetValue(action, out var list) ? list : ReadOnlySpan<CompiledStatement>.Empty;

    /// <summary>Statements that must be checked against the action's patterns: same-service wildcards, then the rest.</summary>
    public ReadOnlySpan<CompiledStatement> SameService(string action)
    {
        var colon = action.IndexOf(':');
        if (colon <= 0)
            return ReadOnlySpan<CompiledStatement>.Empty;
        return _byService.TryGetValue(action.AsSpan(0, colon), out var list) ? list : ReadOnlySpan<CompiledStatement>.Empty;
    }

    /// <summary>Statements that are candidates for every action (wildcard services and <c>NotAction</c>).</summary>
    public ReadOnlySpan<CompiledStatement> Always => _always;
}
