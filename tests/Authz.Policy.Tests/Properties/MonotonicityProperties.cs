using System.Collections.Immutable;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;
using Authz.Policy.Simulation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Authz.Policy.Tests.Properties;

/// <summary>A case, and the same case with one statement inserted into one of its policies.</summary>
public sealed record StatementAddition(SimulationCase Before, string Target, PolicyStatement Statement, SimulationCase After)
{
    public override string ToString() =>
        $"added to {Target}: {PolicyPrinter.Print(new PolicyDocument(null, null, [Statement], false), indented: false)}\n"
        + $"before: {Before}\nafter:  {After}";
}

/// <summary>Generators for <see cref="MonotonicityProperties"/>.</summary>
public static class StatementAdditions
{
    /// <summary>A place a statement can go: an existing policy, or a new identity policy.</summary>
    private sealed record Slot(string Name, PolicyRole Role, PolicyDocument? Current, Func<PolicyDocument, SimulationCase> Put);

    private static IEnumerable<Slot> Slots(SimulationCase c)
    {
        for (var i = 0; i < c.IdentityPolicies.Length; i++)
        {
            var at = i;
            yield return new($"identity[{at}]", PolicyRole.Identity, c.IdentityPolicies[at], d => c with { IdentityPolicies = c.IdentityPolicies.SetItem(at, d) });
        }
        yield return new("a new identity policy", PolicyRole.Identity, null, d => c with { IdentityPolicies = c.IdentityPolicies.Add(d) });
        if (c.ResourcePolicy is { } resource)
            yield return new("resource", PolicyRole.Resource, resource, d => c with { ResourcePolicy = d });
        if (c.PermissionBoundaries is { } boundaries)
            for (var i = 0; i < boundaries.Length; i++)
            {
                var at = i;
                yield return new($"boundary[{at}]", PolicyRole.Boundary, boundaries[at], d => c with { PermissionBoundaries = boundaries.SetItem(at, d) });
            }
        foreach (var slot in LevelSlots(c.Scps, "scp", PolicyRole.Scp, levels => c with { Scps = levels }))
            yield return slot;
        foreach (var slot in LevelSlots(c.Rcps, "rcp", PolicyRole.Rcp, levels => c with { Rcps = levels }))
            yield return slot;
        if (c.SessionPolicy is { } session)
            yield return new("session", PolicyRole.Session, session, d => c with { SessionPolicy = d });
    }

    private static IEnumerable<Slot> LevelSlots(ImmutableArray<ImmutableArray<PolicyDocument>>? levels, string name, PolicyRole role,
        Func<ImmutableArray<ImmutableArray<PolicyDocument>>, SimulationCase> put)
    {
        if (levels is not { } list)
            yield break;
        for (var i = 0; i < list.Length; i++)
            for (var j = 0; j < list[i].Length; j++)
            {
                var (li, pj) = (i, j);
                yield return new($"{name}[{li}][{pj}]", role, list[li][pj], d => put(list.SetItem(li, list[li].SetItem(pj, d))));
            }
    }

    private static Gen<StatementAddition> Additions(Effect effect, Func<Slot, bool> eligible) =>
        from c in CaseGenerators.Case
        let slots = Slots(c).Where(eligible).ToArray()
        from slot in Gen.Elements(slots)
        from statement in CaseGenerators.Statement(slot.Role, c, effect)
        from position in Gen.Choose(0, slot.Current?.Statements.Length ?? 0)
        select new StatementAddition(c, slot.Name, statement, slot.Put(Insert(slot.Current, statement, position)));

    private static PolicyDocument Insert(PolicyDocument? doc, PolicyStatement statement, int position) =>
        doc is null
            ? new PolicyDocument("2012-10-17", null, [statement with { Index = 0 }], StatementIsArray: true)
            : doc with { Statements = CaseGenerators.Reindex(doc.Statements.Insert(position, statement)), StatementIsArray = true };

    /// <summary>A Deny statement added to any policy of the case (or to a new identity policy).</summary>
    public static Arbitrary<StatementAddition> Denies() => Arb.From(Additions(Effect.Deny, _ => true));

    /// <summary>An Allow statement added to an identity policy of the case (or as a new identity policy).</summary>
    public static Arbitrary<StatementAddition> IdentityAllows() => Arb.From(Additions(Effect.Allow, s => s.Role == PolicyRole.Identity));
}

public static class DenyAdditionArbitrary
{
    public static Arbitrary<StatementAddition> Additions() => StatementAdditions.Denies();
}

public static class IdentityAllowAdditionArbitrary
{
    public static Arbitrary<StatementAddition> Additions() => StatementAdditions.IdentityAllows();
}

/// <summary>Adding statements moves decisions in one direction only.</summary>
public sealed class MonotonicityProperties
{
    [Property(MaxTest = 3_000, Arbitrary = [typeof(DenyAdditionArbitrary)])]
    public Property Adding_a_deny_never_turns_a_non_allow_into_an_allow(StatementAddition addition)
    {
        var (before, after) = (Decide(addition.Before), Decide(addition.After));
        return (before.Error is null && after.Error is null && (before.Decision == Decision.Allow || after.Decision != Decision.Allow))
            .Label($"before: {Show(before)}, after: {Show(after)}")
            .Classify(before.Decision != Decision.Allow, "not allowed before (the case that matters)");
    }

    // Only cases allowed before can fail, so this property runs more cases than the one above.
    [Property(MaxTest = 6_000, Arbitrary = [typeof(IdentityAllowAdditionArbitrary)])]
    public Property Adding_an_identity_allow_never_turns_an_allow_into_a_deny(StatementAddition addition)
    {
        var (before, after) = (Decide(addition.Before), Decide(addition.After));
        return (before.Error is null && after.Error is null && (before.Decision != Decision.Allow || after.Decision == Decision.Allow))
            .Label($"before: {Show(before)}, after: {Show(after)}")
            .Classify(before.Decision == Decision.Allow, "allowed before (the case that matters)");
    }

    private static SimulationOutcome Decide(SimulationCase c) => Simulator.Run(c.ToJsonLine());

    private static string Show(SimulationOutcome o) => o.Error is null ? o.Decision.ToString()! : "error: " + o.Error;
}
