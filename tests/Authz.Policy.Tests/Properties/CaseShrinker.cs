using System.Collections.Immutable;
using Authz.Policy.Model;

namespace Authz.Policy.Tests.Properties;

/// <summary>
/// Shrinks a failing case towards the smallest one that still fails: fewer policies, statements, condition blocks,
/// keys and values, and fewer context keys. Every candidate is still a valid case.
/// </summary>
public static class CaseShrinker
{
    public static IEnumerable<SimulationCase> Shrink(SimulationCase c)
    {
        // Whole policies first: they remove the most at once.
        for (var i = 0; i < c.IdentityPolicies.Length; i++)
            yield return c with { IdentityPolicies = c.IdentityPolicies.RemoveAt(i) };
        if (c.ResourcePolicy is not null)
            yield return c with { ResourcePolicy = null };
        if (c.PermissionBoundaries is { } boundaries)
        {
            yield return c with { PermissionBoundaries = null };
            for (var i = 0; i < boundaries.Length && boundaries.Length > 1; i++)
                yield return c with { PermissionBoundaries = boundaries.RemoveAt(i) };
        }
        if (c.Scps is { } scps)
        {
            yield return c with { Scps = null };
            foreach (var levels in ShrinkLevels(scps))
                yield return c with { Scps = levels };
        }
        if (c.Rcps is { } rcps)
        {
            yield return c with { Rcps = null };
            foreach (var levels in ShrinkLevels(rcps))
                yield return c with { Rcps = levels };
        }
        if (c.SessionPolicy is not null)
            yield return c with { SessionPolicy = null };

        // Then the context.
        for (var i = 0; i < c.Context.Length; i++)
            yield return c with { Context = c.Context.RemoveAt(i) };
        for (var i = 0; i < c.Context.Length; i++)
        {
            var entry = c.Context[i];
            if (entry.Values.Length > 1)
                yield return c with { Context = c.Context.SetItem(i, entry with { Values = [entry.Values[0]] }) };
        }

        // Then each policy's insides.
        for (var i = 0; i < c.IdentityPolicies.Length; i++)
            foreach (var smaller in ShrinkDocument(c.IdentityPolicies[i]))
                yield return c with { IdentityPolicies = c.IdentityPolicies.SetItem(i, smaller) };
        if (c.ResourcePolicy is { } resource)
            foreach (var smaller in ShrinkDocument(resource))
                yield return c with { ResourcePolicy = smaller };
        if (c.PermissionBoundaries is { } pbs)
            for (var i = 0; i < pbs.Length; i++)
                foreach (var smaller in ShrinkDocument(pbs[i]))
                    yield return c with { PermissionBoundaries = pbs.SetItem(i, smaller) };
        if (c.Scps is { } scpLevels)
            foreach (var levels in ShrinkLevelDocuments(scpLevels))
                yield return c with { Scps = levels };
        if (c.Rcps is { } rcpLevels)
            foreach (var levels in ShrinkLevelDocuments(rcpLevels))
                yield return c with { Rcps = levels };
        if (c.SessionPolicy is { } session)
            foreach (var smaller in ShrinkDocument(session))
                yield return c with { SessionPolicy = smaller };
    }

    private static IEnumerable<ImmutableArray<ImmutableArray<PolicyDocument>>> ShrinkLevels(ImmutableArray<ImmutableArray<PolicyDocument>> levels)
    {
        for (var i = 0; i < levels.Length; i++)
        {
            if (levels.Length > 1)
                yield return levels.RemoveAt(i);
            for (var j = 0; j < levels[i].Length; j++)
                yield return levels.SetItem(i, levels[i].RemoveAt(j));
        }
    }

    private static IEnumerable<ImmutableArray<ImmutableArray<PolicyDocument>>> ShrinkLevelDocuments(ImmutableArray<ImmutableArray<PolicyDocument>> levels)
    {
        for (var i = 0; i < levels.Length; i++)
            for (var j = 0; j < levels[i].Length; j++)
                foreach (var smaller in ShrinkDocument(levels[i][j]))
                    yield return levels.SetItem(i, levels[i].SetItem(j, smaller));
    }

    private static IEnumerable<PolicyDocument> ShrinkDocument(PolicyDocument doc)
    {
        if (doc.Statements.Length > 1)
            for (var i = 0; i < doc.Statements.Length; i++)
                yield return doc with { Statements = CaseGenerators.Reindex(doc.Statements.RemoveAt(i)) };
        for (var i = 0; i < doc.Statements.Length; i++)
            foreach (var smaller in ShrinkStatement(doc.Statements[i]))
                yield return doc with { Statements = doc.Statements.SetItem(i, smaller) };
    }

    private static IEnumerable<PolicyStatement> ShrinkStatement(PolicyStatement s)
    {
        if (!s.Conditions.IsEmpty)
        {
            yield return s with { Conditions = [] };
            for (var b = 0; b < s.Conditions.Length && s.Conditions.Length > 1; b++)
                yield return s with { Conditions = s.Conditions.RemoveAt(b) };
            for (var b = 0; b < s.Conditions.Length; b++)
            {
                var block = s.Conditions[b];
                for (var k = 0; k < block.Clauses.Length && block.Clauses.Length > 1; k++)
                    yield return s with { Conditions = s.Conditions.SetItem(b, block with { Clauses = block.Clauses.RemoveAt(k) }) };
                for (var k = 0; k < block.Clauses.Length; k++)
                {
                    var clause = block.Clauses[k];
                    if (clause.Values.Length > 1)
                        for (var v = 0; v < clause.Values.Length; v++)
                            yield return s with
                            {
                                Conditions = s.Conditions.SetItem(b, block with
                                {
                                    Clauses = block.Clauses.SetItem(k, clause with { Values = [clause.Values[v]], IsArray = false }),
                                }),
                            };
                }
            }
        }
        foreach (var action in ShrinkList(s.Action))
            yield return s with { Action = action };
        if (s.Resource is { } resource)
            foreach (var smaller in ShrinkList(resource))
                yield return s with { Resource = smaller };
        if (s.Principal is { IsWildcard: false, Entries.Length: > 1 } principal)
            for (var e = 0; e < principal.Entries.Length; e++)
                yield return s with { Principal = principal with { Entries = principal.Entries.RemoveAt(e) } };
        if (s.Sid is not null)
            yield return s with { Sid = null };
    }

    private static IEnumerable<ValueList> ShrinkList(ValueList list)
    {
        if (list.Values.Length > 1)
            foreach (var value in list.Values)
                yield return list with { Values = [value], IsArray = false };
    }
}
