using System.Collections.Immutable;
using Authz.Policy.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Authz.Policy.Tests.Properties;

/// <summary>The role a generated policy plays; it decides which elements a statement carries.</summary>
public enum PolicyRole
{
    Identity,
    Resource,
    Boundary,
    Scp,
    Rcp,
    Session,
}

/// <summary>
/// FsCheck generators for random but meaningful simulation cases: policies are biased towards the request (their
/// actions and resources are often mutations of the request's), so Allow, ExplicitDeny and ImplicitDeny all occur
/// often, and conditions use every operator family with qualifiers, IfExists, missing keys, multivalued keys and
/// request values that do not parse.
/// </summary>
public static class CaseGenerators
{
    /// <summary>The request a policy is generated for.</summary>
    private sealed record RequestShape(string Principal, string Action, string Resource);

    private static Gen<bool> Chance(int percent) => Gen.Choose(1, 100).Select(x => x <= percent);

    private static readonly KeyType[] KeyTypes = Enum.GetValues<KeyType>();

    private static Gen<T[]> Between<T>(Gen<T> gen, int min, int max) => Gen.Choose(min, max).SelectMany(n => gen.ArrayOf(n));

    /// <summary>Distinct values (by <paramref name="key"/>), between <paramref name="min"/> and <paramref name="max"/> of them.</summary>
    private static Gen<T[]> DistinctBetween<T>(Gen<T> gen, int min, int max, Func<T, string> key) =>
        Between(gen, min, max).Select(xs => xs.DistinctBy(key, StringComparer.Ordinal).ToArray());

    private static Gen<T> Weighted<T>(params (int Weight, T Value)[] choices) =>
        Gen.Frequency(choices.Select(c => (c.Weight, Gen.Constant(c.Value))).ToArray());

    // ---- requests -------------------------------------------------------------------------------------------------

    private static readonly Gen<string> CallerGen = Weighted(Vocabulary.Callers);

    private static readonly Gen<string> RequestActionGen =
        from action in Gen.Elements(Vocabulary.Actions)
        from recase in Chance(15)
        from upper in Gen.Elements(true, false)
        select recase ? (upper ? action.ToUpperInvariant() : action.ToLowerInvariant()) : action;

    private static Gen<string?> ResourceAccountGen(string resource)
    {
        var parts = resource.Split(':');
        var arnAccount = parts.Length >= 6 ? parts[4] : "";
        return arnAccount.Length == 0
            ? Weighted<string?>((2, null), (3, Vocabulary.AccountA), (2, Vocabulary.AccountB))
            : Weighted<string?>((4, null), (1, arnAccount));
    }

    private static Gen<string> MixCase(string text) =>
        from choice in Gen.Choose(0, 9)
        select choice switch
        {
            0 => text.ToUpperInvariant(),
            1 => text.ToLowerInvariant(),
            _ => text,
        };

    private static Gen<ContextEntry> ContextEntryGen(KeySpec spec) =>
        from key in MixCase(spec.Key)
        from shape in Gen.Frequency(
            (spec.Multivalued ? 30 : 70, Gen.Constant("scalar")),
            (spec.Multivalued ? 55 : 15, Gen.Constant("array")),
            (5, Gen.Constant("empty-string")),
            (4, Gen.Constant("empty-array")),
            (4, Gen.Constant("null")))
        from values in DistinctBetween(Gen.Elements(spec.RequestValues), 1, 3, v => v.Text + v.Kind)
        select shape switch
        {
            "scalar" => ContextEntry.Scalar(key, values[0]),
            "array" => new ContextEntry(key, ContextShape.Array, [.. values]),
            "empty-string" => ContextEntry.Array(key, ContextScalar.Str("")),
            "empty-array" => new ContextEntry(key, ContextShape.Array, []),
            _ => new ContextEntry(key, ContextShape.Null, []),
        };

    private static readonly Gen<ImmutableArray<ContextEntry>> ContextGen =
        Gen.CollectToArray(ConditionVocabulary.Keys, spec =>
                Chance(45).SelectMany(present => present ? ContextEntryGen(spec).Select(e => (ContextEntry?)e) : Gen.Constant<ContextEntry?>(null)))
            .Select(entries => entries.Where(e => e is not null).Select(e => e!).ToImmutableArray());

    // ---- patterns -------------------------------------------------------------------------------------------------

    /// <summary>A wildcard pattern derived from <paramref name="source"/>: cut and starred, a character replaced by
    /// <c>?</c>, a span or a segment replaced by <c>*</c>, a character's case flipped, or unchanged.</summary>
    private static Gen<string> Mutate(string source, bool arn)
    {
        if (source.Length == 0)
            return Gen.Constant(source);
        return from mutation in Gen.Choose(0, arn ? 7 : 6)
               from i in Gen.Choose(0, source.Length - 1)
               from j in Gen.Choose(0, source.Length - 1)
               select Apply(mutation, source, Math.Min(i, j), Math.Max(i, j));

        static string Apply(int mutation, string s, int lo, int hi) => mutation switch
        {
            0 or 1 => s,
            2 => s[..lo] + "*",
            3 => s[..lo] + "?" + s[(lo + 1)..],
            4 => s[..lo] + "*" + s[hi..],
            5 => s[..lo] + (char.IsUpper(s[lo]) ? char.ToLowerInvariant(s[lo]) : char.ToUpperInvariant(s[lo])) + s[(lo + 1)..],
            6 => "*" + s[hi..],
            _ => ReplaceSegment(s, lo),
        };

        static string ReplaceSegment(string s, int at)
        {
            var segments = s.Split(':');
            segments[at % segments.Length] = "*";
            return string.Join(':', segments);
        }
    }

    private static Gen<string> ActionPatternGen(RequestShape r) => Gen.Frequency(
        (5, Mutate(r.Action, arn: false)),
        (2, Gen.Elements(Vocabulary.ActionPatterns)),
        (1, Gen.Elements(Vocabulary.Actions)));

    private static Gen<string> ResourcePatternGen(RequestShape r) => Gen.Frequency(
        (4, r.Resource == "*" ? Gen.Constant("*") : Mutate(r.Resource, arn: true)),
        (2, Gen.Elements(Vocabulary.ResourcePatterns)),
        (1, Gen.Elements(Vocabulary.Resources).SelectMany(x => Mutate(x, arn: true))),
        (1, Gen.Constant(VariableForm(r.Resource))));

    /// <summary>The resource with the parts a variable can stand for replaced by that variable.</summary>
    private static string VariableForm(string resource) => resource
        .Replace("/alice/", "/${aws:username}/", StringComparison.Ordinal)
        .Replace("team-ml", "team-${aws:PrincipalTag/team, 'none'}", StringComparison.Ordinal)
        .Replace("star*file", "star${*}file", StringComparison.Ordinal);

    private static Gen<ValueList> ValueListGen(Gen<string> values, int negatedPercent) =>
        from negated in Chance(negatedPercent)
        from list in DistinctBetween(values, 1, 3, v => v)
        from forceArray in Chance(30)
        select new ValueList(negated, [.. list.Select(v => new LocatedString(v, SourceLocation.None))], list.Length > 1 || forceArray, SourceLocation.None);

    // ---- principals -----------------------------------------------------------------------------------------------

    private static Gen<PrincipalElement> PrincipalGen(RequestShape r)
    {
        var aws = Gen.Frequency(
            (3, Gen.Constant(r.Principal.StartsWith("arn:", StringComparison.Ordinal) ? r.Principal : Vocabulary.Alice)),
            (6, Gen.Elements(Vocabulary.AwsPrincipalValues)));
        var service = Gen.Frequency(
            (2, Gen.Constant(r.Principal.EndsWith(".amazonaws.com", StringComparison.Ordinal) ? r.Principal : Vocabulary.SageMaker)),
            (1, Gen.Elements(Vocabulary.ServicePrincipalValues)));
        Gen<PrincipalEntry> Entry(string type, Gen<string> values) =>
            from list in DistinctBetween(values, 1, 3, v => v)
            from forceArray in Chance(30)
            select new PrincipalEntry(type, [.. list.Select(v => new LocatedString(v, SourceLocation.None))], list.Length > 1 || forceArray);

        var entries = Gen.Frequency(
            (6, Entry("AWS", aws).Select(e => new[] { e })),
            (1, Entry("Service", service).Select(e => new[] { e })),
            (2, from a in Entry("AWS", aws) from s in Entry("Service", service) select new[] { a, s }));
        return from negated in Chance(15)
               from wildcard in Chance(12)
               from list in entries
               select new PrincipalElement(negated, wildcard, wildcard ? [] : [.. list], SourceLocation.None);
    }

    // ---- conditions -----------------------------------------------------------------------------------------------

    private static readonly Gen<(string Operator, ConditionClause Clause)> ClauseGen =
        from spec in Gen.Elements(ConditionVocabulary.Keys)
        from matchingType in Chance(85)
        from otherType in Gen.Elements(KeyTypes)
        let type = matchingType ? spec.Type : otherType
        from isNull in Chance(7)
        from baseOperator in Gen.Elements(ConditionVocabulary.Operators[type])
        from qualifier in Weighted((6, ""), (2, "ForAnyValue:"), (2, "ForAllValues:"))
        from ifExists in Chance(25)
        from key in MixCase(spec.Key)
        from values in DistinctBetween(Gen.Elements(isNull ? ConditionVocabulary.NullValues : ConditionVocabulary.PolicyValues[type]), 1, 3, v => v.Text + v.Kind)
        from forceArray in Chance(25)
        from lowerCase in Chance(4)
        let written = isNull ? "Null" : qualifier + baseOperator + (ifExists ? "IfExists" : "")
        let op = lowerCase ? written.ToLowerInvariant() : written
        select (op, new ConditionClause(key, [.. values], values.Length > 1 || forceArray, SourceLocation.None));

    private static readonly Gen<ImmutableArray<ConditionBlock>> ConditionsGen =
        from count in Weighted((9, 0), (7, 1), (3, 2), (1, 3))
        from clauses in Between(ClauseGen, count, count * 2)
        select clauses
            .GroupBy(c => c.Operator, StringComparer.Ordinal)
            .Select(g => new ConditionBlock(g.Key, [.. g.Select(c => c.Clause).DistinctBy(c => c.Key, StringComparer.Ordinal)], SourceLocation.None))
            .ToImmutableArray();

    // ---- statements and policies ----------------------------------------------------------------------------------

    private static readonly ValueList Everything = new(false, [new LocatedString("*", SourceLocation.None)], false, SourceLocation.None);

    private static int AllowPercent(PolicyRole role) => role switch
    {
        PolicyRole.Rcp => 10,
        PolicyRole.Scp or PolicyRole.Boundary or PolicyRole.Session => 85,
        _ => 78,
    };

    private static Gen<PolicyStatement> StatementGen(PolicyRole role, RequestShape r, Effect? effect = null) =>
        from allow in Chance(AllowPercent(role))
        from sid in Weighted<string?>((7, null), (2, "Stmt1"), (1, "Allow reads & writes"))
        // Boundaries, SCPs and session policies are gates: they often allow broadly, as real ones do.
        from broad in Chance(role is PolicyRole.Boundary or PolicyRole.Scp or PolicyRole.Session ? 35 : 10)
        from action in broad ? Gen.Constant(Everything) : ValueListGen(ActionPatternGen(r), negatedPercent: 12)
        from resource in broad ? Gen.Constant(Everything) : ValueListGen(ResourcePatternGen(r), negatedPercent: 12)
        from principal in role switch
        {
            PolicyRole.Resource => PrincipalGen(r).Select(p => (PrincipalElement?)p),
            // AWS's RCP syntax names `"Principal": "*"` and narrows callers with conditions.
            PolicyRole.Rcp => Weighted<PrincipalElement?>((3, new PrincipalElement(false, true, [], SourceLocation.None)), (1, null)),
            _ => Gen.Constant<PrincipalElement?>(null),
        }
        from conditions in ConditionsGen
        select new PolicyStatement
        {
            Index = 0,
            Sid = sid,
            Effect = effect ?? (allow ? Effect.Allow : Effect.Deny),
            Action = action,
            Resource = resource,
            Principal = principal,
            Conditions = conditions,
        };

    private static Gen<PolicyDocument> PolicyGen(PolicyRole role, RequestShape r) =>
        from version in Weighted<string?>((8, "2012-10-17"), (1, "2008-10-17"), (1, null))
        from id in Weighted<string?>((4, null), (1, "policy-1"))
        from count in Weighted((6, 1), (5, 2), (3, 3), (1, 6))
        from statements in StatementGen(role, r).ArrayOf(count)
        from objectForm in Chance(50)
        select new PolicyDocument(version, id, Reindex(statements), statements.Length > 1 || !objectForm);

    /// <summary>Statements numbered 0..n-1, as the parser numbers them.</summary>
    public static ImmutableArray<PolicyStatement> Reindex(IEnumerable<PolicyStatement> statements) =>
        [.. statements.Select((s, i) => s with { Index = i })];

    private static Gen<ImmutableArray<ImmutableArray<PolicyDocument>>?> LevelsGen(PolicyRole role, RequestShape r, int presentPercent) =>
        Chance(presentPercent).SelectMany(present => present
            ? Between(LevelGen(role, r), 1, 3).Select(levels => (ImmutableArray<ImmutableArray<PolicyDocument>>?)levels.ToImmutableArray())
            : Gen.Constant<ImmutableArray<ImmutableArray<PolicyDocument>>?>(null));

    /// <summary>One guardrail level: usually one or two policies, sometimes none (a level with none allows nothing).</summary>
    private static Gen<ImmutableArray<PolicyDocument>> LevelGen(PolicyRole role, RequestShape r) =>
        from count in Weighted((1, 0), (6, 1), (2, 2))
        from docs in PolicyGen(role, r).ArrayOf(count)
        select docs.ToImmutableArray();

    /// <summary>A value <paramref name="percent"/>% of the time, otherwise null; the value is only generated when used.</summary>
    private static Gen<T?> Maybe<T>(int percent, Gen<T> gen) where T : class =>
        Chance(percent).SelectMany(present => present ? gen.Select(v => (T?)v) : Gen.Constant<T?>(null));

    /// <summary>Random cases: users, roles, role sessions, federated users, the root, services and anonymous callers, same and cross account.</summary>
    public static Gen<SimulationCase> Case =>
        from principal in CallerGen
        from action in RequestActionGen
        from resource in Gen.Elements(Vocabulary.Resources)
        from resourceAccount in ResourceAccountGen(resource)
        from context in ContextGen
        let r = new RequestShape(principal, action, resource)
        let caller = ReferenceEvaluator.Caller.Parse(principal)
        let hasIdentity = caller.Kind is not (ReferenceEvaluator.CallerKind.Service or ReferenceEvaluator.CallerKind.Anonymous or ReferenceEvaluator.CallerKind.AccountRoot)
        let isSession = caller.Kind is ReferenceEvaluator.CallerKind.RoleSession or ReferenceEvaluator.CallerKind.FederatedUser
        from identity in hasIdentity ? Between(PolicyGen(PolicyRole.Identity, r), 0, 3) : Gen.Constant(Array.Empty<PolicyDocument>())
        from resourcePolicy in Maybe(55, PolicyGen(PolicyRole.Resource, r))
        from boundaries in Maybe(hasIdentity ? 30 : 0, Between(PolicyGen(PolicyRole.Boundary, r), 0, 2))
        from scps in LevelsGen(PolicyRole.Scp, r, hasIdentity ? 30 : 5)
        from rcps in LevelsGen(PolicyRole.Rcp, r, 15)
        from session in Maybe(isSession ? 50 : 0, PolicyGen(PolicyRole.Session, r))
        select new SimulationCase(
            principal, action, resource, resourceAccount, context,
            [.. identity], resourcePolicy,
            boundaries is null ? null : [.. boundaries],
            scps, rcps, session);

    /// <summary>A statement fit for a policy in <paramref name="role"/>, with the given effect.</summary>
    public static Gen<PolicyStatement> Statement(PolicyRole role, SimulationCase c, Effect effect) =>
        StatementGen(role, new RequestShape(c.Principal, c.Action, c.Resource), effect);

    /// <summary>The FsCheck arbitrary, with a shrinker that removes policies, statements, conditions and context keys.</summary>
    public static Arbitrary<SimulationCase> Arbitrary => Arb.From(Case, CaseShrinker.Shrink);
}

/// <summary>Registers <see cref="CaseGenerators.Arbitrary"/> for <c>[Property(Arbitrary = ...)]</c>.</summary>
public static class SimulationCaseArbitrary
{
    public static Arbitrary<SimulationCase> Cases() => CaseGenerators.Arbitrary;
}
