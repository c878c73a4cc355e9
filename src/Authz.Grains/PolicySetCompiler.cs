using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Parsing;

namespace Authz.Grains;

/// <summary>
/// Turns snapshots (documents as text) into the engine's immutable policy sets, compiling each distinct document once
/// per silo: principals that share a managed policy version share its <see cref="CompiledPolicy"/>, and principals with
/// the same policies (the members of a group, the sessions of a role) share one set's arrays and action indexes. Used by the
/// principal grains for the set they hold and by the decision path's silo-local cache. Thread-safe; a singleton.
/// </summary>
public sealed class PolicySetCompiler
{
    /// <summary>How many distinct documents are kept before the cache starts over.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly ConcurrentDictionary<DocumentKey, CompiledPolicy> _cache = new();
    private readonly ConcurrentDictionary<SetKey, PrincipalPolicySet> _sets = new();
    private readonly int _capacity;

    public PolicySetCompiler()
        : this(DefaultCapacity)
    {
    }

    public PolicySetCompiler(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>The number of compiled documents held.</summary>
    public int Count => _cache.Count;

    /// <summary>
    /// The principal's policy set: identity documents, the boundary, and one guardrail level per tenant guardrail (the
    /// admin contract says an action must be allowed by each guardrail), stamped with the snapshot's revision.
    /// </summary>
    /// <exception cref="InvalidOperationException">A stored document no longer compiles; the caller must fail closed.</exception>
    public PrincipalPolicySet Compile(PrincipalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.Exists)
        {
            return new PrincipalPolicySet([], revision: snapshot.Revision);
        }

        var identity = new List<CompiledPolicy>();
        var boundaries = new List<CompiledPolicy>();
        var guardrails = ImmutableArray.CreateBuilder<ImmutableArray<CompiledPolicy>>();
        foreach (var document in snapshot.Documents)
        {
            var compiled = Compile(document);
            switch (document.Kind)
            {
                case DocumentKind.Identity:
                    identity.Add(compiled);
                    break;
                case DocumentKind.PermissionsBoundary:
                    boundaries.Add(compiled);
                    break;
                case DocumentKind.Guardrail:
                    guardrails.Add([compiled]);
                    break;
                default:
                    throw new InvalidOperationException($"a principal snapshot holds a `{document.Kind}` document `{document.Id}`");
            }
        }

        var key = new SetKey(identity, boundaries, guardrails);
        if (_sets.TryGetValue(key, out var shared))
        {
            return shared.WithRevision(snapshot.Revision);
        }

        var set = new PrincipalPolicySet(identity, boundaries, guardrails.Count == 0 ? default : guardrails.ToImmutable(), snapshot.Revision);
        if (_sets.Count >= _capacity)
        {
            _sets.Clear();
        }

        return _sets.GetOrAdd(key, set).WithRevision(snapshot.Revision);
    }

    /// <summary>The resource policy set of the governing resource snapshot (null: no resource policy).</summary>
    public ResourcePolicySet Compile(ResourceSnapshot? governing) =>
        governing?.Policy is { } policy ? new ResourcePolicySet(Compile(policy), revision: governing.Revision) : ResourcePolicySet.Empty;

    /// <summary>Compiles one stored document (leniently: it was accepted once), or returns the shared compiled form.</summary>
    /// <exception cref="InvalidOperationException">The document does not compile.</exception>
    public CompiledPolicy Compile(SnapshotDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var key = new DocumentKey(document.Kind, document.Id, document.VersionId, document.Json);
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var result = PolicyCompiler.ParseAndCompile(document.Json, PolicyDocumentRules.ToPolicyType(document.Kind), document.Id, document.VersionId, ParseOptions.Lenient);
        if (result.Policy is null)
        {
            throw new InvalidOperationException($"stored {document.Kind} document `{document.Id}` no longer compiles: {result.FirstError}");
        }

        if (_cache.Count >= _capacity)
        {
            _cache.Clear();
        }

        return _cache.GetOrAdd(key, result.Policy);
    }

    /// <summary>The compiled set of <paramref name="set"/> described for callers outside the silo.</summary>
    public static CompiledSetSummary Describe(PrincipalPolicySet set, int builds) => new()
    {
        Revision = set.Revision,
        Identity = [.. set.Identity.Select(Name)],
        Boundaries = [.. set.Boundaries.Select(Name)],
        GuardrailLevels = set.Guardrails.IsDefault ? [] : [.. set.Guardrails.Select(level => string.Join(",", level.Select(Name)))],
        Builds = builds,
    };

    private static string Name(CompiledPolicy policy) => policy.VersionId is null ? policy.Id : policy.Id + "@" + policy.VersionId;

    private readonly record struct DocumentKey(DocumentKind Kind, string Id, string? VersionId, string Json);

    /// <summary>
    /// The compiled policies of a set, in order, by reference (compiled policies are shared, so equal documents are the
    /// same object): identity, then boundaries, then each guardrail level, each part ended by a null.
    /// </summary>
    private sealed class SetKey : IEquatable<SetKey>
    {
        private readonly CompiledPolicy?[] _parts;
        private readonly int _hash;

        public SetKey(List<CompiledPolicy> identity, List<CompiledPolicy> boundaries, IEnumerable<ImmutableArray<CompiledPolicy>> guardrails)
        {
            var parts = new List<CompiledPolicy?>(identity.Count + boundaries.Count + 4);
            parts.AddRange(identity);
            parts.Add(null);
            parts.AddRange(boundaries);
            parts.Add(null);
            foreach (var level in guardrails)
            {
                parts.AddRange(level);
                parts.Add(null);
            }

            _parts = [.. parts];
            var hash = new HashCode();
            foreach (var part in _parts)
            {
                hash.Add(part is null ? 0 : RuntimeHelpers.GetHashCode(part));
            }

            _hash = hash.ToHashCode();
        }

        public bool Equals(SetKey? other)
        {
            if (other is null || other._hash != _hash || other._parts.Length != _parts.Length)
            {
                return false;
            }

            for (var i = 0; i < _parts.Length; i++)
            {
                if (!ReferenceEquals(_parts[i], other._parts[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as SetKey);

        public override int GetHashCode() => _hash;
    }
}
