using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Authz.Policy.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Authz.Policy.Tests.Properties;

/// <summary>A policy document model together with JSON text written for it by hand, in a random layout.</summary>
public sealed record SourceDocument(PolicyDocument Model, string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// Generates documents for the parse/print round trip: every grammar form the model records (statement object or
/// array, single strings or arrays, all four principal types, NotPrincipal/NotAction/NotResource, conditions with
/// string, number and boolean values, numbers in unusual spellings), strings with quotes, backslashes, control
/// characters, non-ASCII text and surrogate pairs. The text is written independently of <c>PolicyPrinter</c>: members
/// in random order, random whitespace, and random <c>\uXXXX</c> and <c>\/</c> escapes.
/// </summary>
public static class SourceDocuments
{
    private static readonly string[] Strings =
    [
        "s3:GetObject", "arn:aws:s3:::ml-data/*", "*", "arn:aws:iam::111122223333:user/${aws:username}", "plain",
        "café", "日本語のテキスト", "emoji 😀 here", "quote \" inside", "back\\slash", "tab\tand\nnewline", "<tag>&amp;'",
        "+plus/slash", "control \u0001\u001f", "line\u2028separator", "${aws:PrincipalTag/team, 'none'}", "a?c*",
    ];

    private static readonly string[] Numbers = ["0", "-0", "1.50", "1e3", "2E-2", "-12.5e+3", "12345678901234567890123", "3600", "0.000"];

    private static readonly string[] Operators =
    [
        "StringEquals", "StringNotLike", "stringequalsignorecase", "NumericLessThanEquals", "DateGreaterThan", "Bool",
        "BinaryEquals", "IpAddress", "NotIpAddress", "ArnLike", "ArnNotEquals", "Null", "ForAnyValue:StringLike",
        "ForAllValues:NumericEquals", "StringEqualsIfExists", "ForAllValues:ArnLikeIfExists", "DateLessThanIfExists",
    ];

    private static readonly string[] Keys = ["aws:username", "aws:SourceIp", "AWS:PrincipalTag/Team", "s3:prefix", "ключ", "k\"q"];

    private static Gen<bool> Chance(int percent) => Gen.Choose(1, 100).Select(x => x <= percent);

    private static Gen<T[]> Between<T>(Gen<T> gen, int min, int max) => Gen.Choose(min, max).SelectMany(n => gen.ArrayOf(n));

    private static Gen<string> Text => Gen.Elements(Strings);

    private static Gen<ValueList> ValueListGen =>
        from negated in Chance(20)
        from values in Between(Text, 1, 3)
        from forceArray in Chance(40)
        select new ValueList(negated, [.. values.Select(v => new LocatedString(v, SourceLocation.None))], values.Length > 1 || forceArray, SourceLocation.None);

    private static Gen<PrincipalElement> PrincipalGen =>
        from negated in Chance(20)
        from wildcard in Chance(20)
        from types in Gen.Shuffle(["AWS", "Service", "Federated", "CanonicalUser"])
        from count in Gen.Choose(1, 4)
        from entries in Gen.CollectToArray(types.Take(count), type =>
            from values in Between(Text, 1, 3)
            from forceArray in Chance(40)
            select new PrincipalEntry(type, [.. values.Select(v => new LocatedString(v, SourceLocation.None))], values.Length > 1 || forceArray))
        select new PrincipalElement(negated, wildcard, wildcard ? [] : [.. entries], SourceLocation.None);

    private static Gen<ConditionValue> ConditionValueGen => Gen.Frequency(
        (5, Text.Select(t => new ConditionValue(t, ConditionValueKind.String, SourceLocation.None))),
        (1, Gen.Constant(new ConditionValue("", ConditionValueKind.String, SourceLocation.None))),
        (3, Gen.Elements(Numbers).Select(n => new ConditionValue(n, ConditionValueKind.Number, SourceLocation.None))),
        (2, Gen.Elements("true", "false").Select(b => new ConditionValue(b, ConditionValueKind.Boolean, SourceLocation.None))));

    private static Gen<ImmutableArray<ConditionBlock>> ConditionsGen =>
        from operators in Gen.SubListOf(Operators)
        from blocks in Gen.CollectToArray(operators.Take(3), op =>
            from keys in Gen.SubListOf(Keys).Where(k => k.Count > 0)
            from clauses in Gen.CollectToArray(keys, key =>
                from values in Between(ConditionValueGen, 1, 3)
                from forceArray in Chance(40)
                select new ConditionClause(key, [.. values], values.Length > 1 || forceArray, SourceLocation.None))
            select new ConditionBlock(op, [.. clauses], SourceLocation.None))
        select blocks.ToImmutableArray();

    private static Gen<PolicyStatement> StatementGen =>
        from sid in Gen.Frequency((3, Gen.Constant<string?>(null)), (2, Text.Select(t => (string?)t)), (1, Gen.Constant<string?>("")))
        from allow in Chance(60)
        from action in ValueListGen
        from hasResource in Chance(85)
        from resource in ValueListGen
        from hasPrincipal in Chance(35)
        from principal in PrincipalGen
        from conditions in ConditionsGen
        select new PolicyStatement
        {
            Index = 0,
            Sid = sid,
            Effect = allow ? Effect.Allow : Effect.Deny,
            Action = action,
            Resource = hasResource ? resource : null,
            Principal = hasPrincipal ? principal : null,
            Conditions = conditions,
        };

    private static Gen<PolicyDocument> ModelGen =>
        from version in Gen.Elements<string?>("2012-10-17", "2008-10-17", null)
        from id in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Text.Select(t => (string?)t)))
        from statements in Between(StatementGen, 1, 4)
        from objectForm in Chance(40)
        select new PolicyDocument(version, id, CaseGenerators.Reindex(statements), statements.Length > 1 || !objectForm);

    /// <summary>Models with their hand-written text.</summary>
    public static Gen<SourceDocument> Documents =>
        from model in ModelGen
        from seed in Gen.Choose(0, int.MaxValue)
        select new SourceDocument(model, new Writer(new Random(seed)).Document(model));

    public static Arbitrary<SourceDocument> Arbitrary => Arb.From(Documents);

    /// <summary>Writes JSON by hand with random member order, whitespace and escapes.</summary>
    private sealed class Writer(Random random)
    {
        private static readonly string[] Spaces = ["", "", " ", "  ", "\n", "\n    ", "\t", "\r\n"];
        private readonly StringBuilder _sb = new();

        public string Document(PolicyDocument doc)
        {
            var members = new List<Action>();
            if (doc.Version is not null)
                members.Add(() => Member("Version", () => String(doc.Version)));
            if (doc.Id is not null)
                members.Add(() => Member("Id", () => String(doc.Id)));
            members.Add(() => Member("Statement", () =>
            {
                if (doc.StatementIsArray)
                    Array(doc.Statements, Statement);
                else
                    Statement(doc.Statements[0]);
            }));
            Object(members);
            return _sb.ToString();
        }

        private void Statement(PolicyStatement s)
        {
            var members = new List<Action>();
            if (s.Sid is not null)
                members.Add(() => Member("Sid", () => String(s.Sid)));
            members.Add(() => Member("Effect", () => String(s.Effect.ToString())));
            members.Add(() => Member(s.Action.Negated ? "NotAction" : "Action", () => Values(s.Action.Values.Select(v => v.Value).ToList(), s.Action.IsArray)));
            if (s.Resource is { } r)
                members.Add(() => Member(r.Negated ? "NotResource" : "Resource", () => Values(r.Values.Select(v => v.Value).ToList(), r.IsArray)));
            if (s.Principal is { } p)
                members.Add(() => Member(p.Negated ? "NotPrincipal" : "Principal", () =>
                {
                    if (p.IsWildcard)
                        String("*");
                    else
                        Object(p.Entries.Select(e => (Action)(() => Member(e.Type, () => Values(e.Values.Select(v => v.Value).ToList(), e.IsArray)))).ToList(), shuffle: false);
                }));
            if (!s.Conditions.IsEmpty)
                members.Add(() => Member("Condition", () => Object(s.Conditions.Select(b => (Action)(() => Member(b.Operator, () =>
                    Object(b.Clauses.Select(c => (Action)(() => Member(c.Key, () =>
                    {
                        if (c.IsArray)
                            Array(c.Values, ConditionValue);
                        else
                            ConditionValue(c.Values[0]);
                    }))).ToList(), shuffle: false)))).ToList(), shuffle: false)));
            Object(members);
        }

        private void ConditionValue(ConditionValue v)
        {
            if (v.Kind == ConditionValueKind.String)
                String(v.Text);
            else
                _sb.Append(v.Text);
        }

        private void Values(List<string> values, bool isArray)
        {
            if (isArray)
                Array(values, String);
            else
                String(values[0]);
        }

        private void Object(List<Action> members, bool shuffle = true)
        {
            if (shuffle)
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
            _sb.Append('{');
            for (var i = 0; i < members.Count; i++)
            {
                if (i > 0)
                    _sb.Append(',');
                Space();
                members[i]();
                Space();
            }
            _sb.Append('}');
        }

        private void Array<T>(IEnumerable<T> items, Action<T> write)
        {
            _sb.Append('[');
            var first = true;
            foreach (var item in items)
            {
                if (!first)
                    _sb.Append(',');
                first = false;
                Space();
                write(item);
                Space();
            }
            _sb.Append(']');
        }

        private void Member(string name, Action value)
        {
            String(name);
            Space();
            _sb.Append(':');
            Space();
            value();
        }

        private void Space() => _sb.Append(Spaces[random.Next(Spaces.Length)]);

        private void String(string text)
        {
            _sb.Append('"');
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                var pair = char.IsHighSurrogate(c) && i + 1 < text.Length ? text.Substring(i, 2) : null;
                var escape = random.Next(8) == 0;
                if (pair is not null)
                {
                    // A surrogate pair is escaped as a whole or not at all.
                    _sb.Append(escape ? $"\\u{(int)pair[0]:x4}\\u{(int)pair[1]:X4}" : pair);
                    i++;
                }
                else if (c == '"' || c == '\\')
                    _sb.Append(escape ? $"\\u{(int)c:x4}" : "\\" + c);
                else if (c < 0x20)
                    _sb.Append(c switch { '\n' when !escape => "\\n", '\t' when !escape => "\\t", _ => $"\\u{(int)c:X4}" });
                else if (c == '/' && escape)
                    _sb.Append("\\/");
                else if (escape)
                    _sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                else
                    _sb.Append(c);
            }
            _sb.Append('"');
        }
    }
}
