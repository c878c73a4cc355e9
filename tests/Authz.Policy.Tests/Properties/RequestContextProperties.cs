using Authz.Policy.Evaluation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Authz.Policy.Tests.Properties;

/// <summary>
/// A layered <see cref="RequestContext"/> answers every key exactly as the flat context of all its pairs does, with the
/// bottom layer's pairs first and the top layer's last (later pairs replace earlier ones): keys compare case-insensitively,
/// and a key whose uppermost pair has no values is absent even when a lower layer has some.
/// </summary>
public sealed class RequestContextProperties
{
    /// <summary>A context to build: its own pairs, in a table or scanned, over lower layers (upper first; tables have none).</summary>
    public sealed record Layer(bool Table, KeyValuePair<string, string[]>[] Pairs, Layer[] Below)
    {
        public RequestContext Build() =>
            Table ? RequestContext.Create(Pairs) : RequestContext.Layered(Pairs, [.. Below.Select(b => b.Build())]);

        /// <summary>Every pair, in the order a flat context must see them to answer alike.</summary>
        public IEnumerable<KeyValuePair<string, string[]>> Flat() => Below.Reverse().SelectMany(b => b.Flat()).Concat(Pairs);

        public override string ToString() =>
            (Table ? "table" : "pairs") + "{" + string.Join(", ", Pairs.Select(Describe)) + "}"
            + (Below.Length == 0 ? "" : " over [" + string.Join("; ", Below.Select(b => b.ToString())) + "]");
    }

    /// <summary>Case variants of a few keys; the probes also ask for one no layer holds.</summary>
    private static readonly string[] Keys =
        ["aws:SourceIp", "AWS:SOURCEIP", "aws:sourceip", "aws:PrincipalTag/team", "aws:principaltag/TEAM", "aws:userid", "k", "K"];

    private static readonly string[] Probes = [.. Keys, "aws:PrincipalTAG/Team", "aws:EpochTime"];

    // Each pair gets its own array, so an answer can be traced to the very pair it came from.
    private static readonly Gen<string[]> Values = Gen.Frequency(
        (1, Gen.Constant(0)),
        (4, Gen.Choose(1, 2))).SelectMany(n => Gen.Elements("a", "b", "").ArrayOf(n));

    private static readonly Gen<KeyValuePair<string, string[]>[]> Pairs =
        Gen.Choose(0, 4).SelectMany(n => (from key in Gen.Elements(Keys) from values in Values select new KeyValuePair<string, string[]>(key, values)).ArrayOf(n));

    private static Gen<Layer> Layers(int depth) =>
        from table in Gen.Elements(true, false)
        from pairs in Pairs
        from below in table || depth == 0
            ? Gen.Constant(Array.Empty<Layer>())
            : Gen.Choose(0, 3).SelectMany(n => Layers(depth - 1).ArrayOf(n))
        select new Layer(table, pairs, below);

    private static string Describe(KeyValuePair<string, string[]> pair) => $"{pair.Key}=[{string.Join(",", pair.Value)}]";

    /// <summary>Whether <paramref name="actual"/> answers every probe as <paramref name="expected"/>, with the very same arrays.</summary>
    private static Property AnswersAlike(RequestContext actual, RequestContext expected, string description) =>
        Probes.All(key =>
        {
            var found = actual.TryGetValues(key, out var a);
            return found == expected.TryGetValues(key, out var e) && (!found || ReferenceEquals(a, e));
        })
        .Label(description + ": " + string.Join("; ", Probes.Select(key =>
            $"{key}: {(actual.TryGetValues(key, out var a) ? string.Join(",", a) : "absent")} vs {(expected.TryGetValues(key, out var e) ? string.Join(",", e) : "absent")}")));

    [Property(MaxTest = 3_000)]
    public Property Layered_context_answers_as_the_flat_context_of_its_pairs() =>
        Prop.ForAll(Layers(depth: 2).ToArbitrary(), layer =>
            AnswersAlike(layer.Build(), RequestContext.Create(layer.Flat()), layer.ToString()));

    [Property(MaxTest = 1_000)]
    public Property Merged_values_are_the_flat_context_s_values() =>
        Prop.ForAll(Layers(depth: 2).ToArbitrary(), layer =>
        {
            var merged = layer.Build().Values;
            var flat = RequestContext.Create(layer.Flat()).Values;
            return (merged.Count == flat.Count && flat.All(kv => merged.TryGetValue(kv.Key, out var v) && ReferenceEquals(v, kv.Value)))
                .Label(layer.ToString());
        });

    [Property(MaxTest = 1_000)]
    public Property With_sets_keys_as_later_pairs_do() =>
        Prop.ForAll(Pairs.ToArbitrary(), Pairs.ToArbitrary(), (pairs, overrides) =>
            AnswersAlike(RequestContext.Create(pairs).With(overrides), RequestContext.Create(pairs.Concat(overrides)),
                string.Join(", ", pairs.Select(Describe)) + " with " + string.Join(", ", overrides.Select(Describe))));
}
