using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Authz.Policy.Model;

namespace Authz.Policy.Tests.Properties;

/// <summary>Three-valued outcome of a condition: a request value that cannot be read as the operator's type is an error.</summary>
public enum Truth
{
    False,
    True,
    Error,
}

/// <summary>
/// The reference's condition logic, written straight from the IAM User Guide's condition operator pages and the
/// project's decisions where the Guide is silent. It parses every operator itself and shares no code with the engine.
/// </summary>
public static class ReferenceConditions
{
    private enum Family { String, Numeric, Date, Bool, Binary, Ip, Arn, Null }

    private enum Relation { Equal, Less, LessOrEqual, Greater, GreaterOrEqual, Like, EqualIgnoreCase }

    private enum SetOperator { None, ForAnyValue, ForAllValues }

    private sealed record Operator(Family Family, Relation Relation, bool Negated, SetOperator Set, bool IfExists);

    // Operator names compare case-insensitively (docs/semantics.md: AWS accepts them in other case in practice).
    private static readonly Dictionary<string, (Family Family, Relation Relation, bool Negated)> BaseOperators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["StringEquals"] = (Family.String, Relation.Equal, false),
        ["StringNotEquals"] = (Family.String, Relation.Equal, true),
        ["StringEqualsIgnoreCase"] = (Family.String, Relation.EqualIgnoreCase, false),
        ["StringNotEqualsIgnoreCase"] = (Family.String, Relation.EqualIgnoreCase, true),
        ["StringLike"] = (Family.String, Relation.Like, false),
        ["StringNotLike"] = (Family.String, Relation.Like, true),
        ["NumericEquals"] = (Family.Numeric, Relation.Equal, false),
        ["NumericNotEquals"] = (Family.Numeric, Relation.Equal, true),
        ["NumericLessThan"] = (Family.Numeric, Relation.Less, false),
        ["NumericLessThanEquals"] = (Family.Numeric, Relation.LessOrEqual, false),
        ["NumericGreaterThan"] = (Family.Numeric, Relation.Greater, false),
        ["NumericGreaterThanEquals"] = (Family.Numeric, Relation.GreaterOrEqual, false),
        ["DateEquals"] = (Family.Date, Relation.Equal, false),
        ["DateNotEquals"] = (Family.Date, Relation.Equal, true),
        ["DateLessThan"] = (Family.Date, Relation.Less, false),
        ["DateLessThanEquals"] = (Family.Date, Relation.LessOrEqual, false),
        ["DateGreaterThan"] = (Family.Date, Relation.Greater, false),
        ["DateGreaterThanEquals"] = (Family.Date, Relation.GreaterOrEqual, false),
        ["Bool"] = (Family.Bool, Relation.Equal, false),
        ["BinaryEquals"] = (Family.Binary, Relation.Equal, false),
        ["IpAddress"] = (Family.Ip, Relation.Equal, false),
        ["NotIpAddress"] = (Family.Ip, Relation.Equal, true),
        // ArnEquals and ArnLike behave the same: both take wildcards.
        ["ArnEquals"] = (Family.Arn, Relation.Like, false),
        ["ArnLike"] = (Family.Arn, Relation.Like, false),
        ["ArnNotEquals"] = (Family.Arn, Relation.Like, true),
        ["ArnNotLike"] = (Family.Arn, Relation.Like, true),
        ["Null"] = (Family.Null, Relation.Equal, false),
    };

    /// <summary>
    /// Evaluates a statement's whole <c>Condition</c> element: every block and every key must hold (AND). With
    /// three values: any false clause makes it false; otherwise any error makes it an error.
    /// </summary>
    public static Truth Evaluate(IEnumerable<ConditionBlock> blocks, bool variables, ReferenceContext context)
    {
        var sawError = false;
        foreach (var block in blocks)
        {
            var op = ParseOperator(block.Operator);
            foreach (var clause in block.Clauses)
            {
                var t = EvaluateClause(op, clause, variables, context);
                if (t == Truth.False)
                    return Truth.False;
                sawError |= t == Truth.Error;
            }
        }
        return sawError ? Truth.Error : Truth.True;
    }

    private static Operator ParseOperator(string text)
    {
        var rest = text;
        var set = SetOperator.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            set = SetOperator.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            set = SetOperator.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }
        var ifExists = rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase);
        if (ifExists)
            rest = rest[..^"IfExists".Length];
        if (!BaseOperators.TryGetValue(rest, out var b))
            throw new InvalidOperationException($"the reference does not know operator `{text}`; the generator should not produce it");
        return new Operator(b.Family, b.Relation, b.Negated, set, ifExists);
    }

    private static Truth EvaluateClause(Operator op, ConditionClause clause, bool variables, ReferenceContext context)
    {
        var requestValues = context.Get(clause.Key);

        // Null: "true" asks for the key to be absent, "false" for it to be present; several values OR together.
        if (op.Family == Family.Null)
        {
            var present = requestValues is not null;
            return clause.Values.Any(v => ParseBoolOrThrow(v.Text) != present) ? Truth.True : Truth.False;
        }

        // For the set operators a key whose only value is an empty string is an empty data set, like a missing key.
        if (op.Set != SetOperator.None && requestValues is [""])
            requestValues = null;

        if (requestValues is null)
        {
            if (op.IfExists)
                return Truth.True;
            if (op.Set == SetOperator.ForAllValues)
                return Truth.True;
            if (op.Set == SetOperator.ForAnyValue)
                return Truth.False;
            return op.Negated ? Truth.True : Truth.False;
        }

        // A request value that cannot be read as the operator's type makes the clause an evaluation error.
        if (requestValues.Any(v => !IsReadable(op.Family, v)))
            return Truth.Error;

        // The positive test for one request value: it matches at least one policy value (policy values OR).
        bool MatchesAnyPolicyValue(string requestValue) =>
            clause.Values.Any(pv => Compare(op, requestValue, pv, variables, context));

        bool result = op.Set switch
        {
            // Unqualified: the positive operator holds when any request value matches any policy value; the negated
            // operator is NOT of that (so several policy values act as AND).
            SetOperator.None => requestValues.Any(MatchesAnyPolicyValue) != op.Negated,
            // ForAnyValue: at least one request value passes the (possibly negated) per-value test.
            SetOperator.ForAnyValue => requestValues.Any(v => MatchesAnyPolicyValue(v) != op.Negated),
            // ForAllValues: every request value passes it.
            _ => requestValues.All(v => MatchesAnyPolicyValue(v) != op.Negated),
        };
        return result ? Truth.True : Truth.False;
    }

    private static bool IsReadable(Family family, string value) => family switch
    {
        Family.Numeric => TryParseNumber(value, out _),
        Family.Date => TryParseDate(value, out _),
        Family.Bool => TryParseBool(value, out _),
        Family.Binary => TryParseBase64(value, out _),
        Family.Ip => TryParseAddress(value, out _),
        Family.Arn => LooksLikeArn(value),
        _ => true,
    };

    private static bool Compare(Operator op, string requestValue, ConditionValue policyValue, bool variables, ReferenceContext context)
    {
        switch (op.Family)
        {
            case Family.String:
            {
                var mode = op.Relation switch
                {
                    Relation.Like => MatchMode.Glob,
                    Relation.EqualIgnoreCase => MatchMode.ExactIgnoreCase,
                    _ => MatchMode.Exact,
                };
                return ReferenceMatching.Matches(policyValue.Text, requestValue, mode, variables, context);
            }
            case Family.Arn:
                return ReferenceMatching.MatchesArnComponents(policyValue.Text, requestValue, variables, context);
            case Family.Numeric:
                TryParseNumber(requestValue, out var n);
                return Holds(op.Relation, n.CompareTo(PolicyNumber(policyValue)));
            case Family.Date:
                TryParseDate(requestValue, out var t);
                return Holds(op.Relation, t.CompareTo(PolicyDate(policyValue)));
            case Family.Bool:
                TryParseBool(requestValue, out var b);
                return b == ParseBoolOrThrow(policyValue.Text);
            case Family.Binary:
                TryParseBase64(requestValue, out var bytes);
                if (!TryParseBase64(policyValue.Text, out var expected))
                    throw new InvalidOperationException($"policy value `{policyValue.Text}` is not base64");
                return bytes.AsSpan().SequenceEqual(expected);
            case Family.Ip:
                TryParseAddress(requestValue, out var address);
                return CidrContains(policyValue.Text, address!);
            default:
                throw new InvalidOperationException($"unexpected family {op.Family}");
        }
    }

    private static bool Holds(Relation relation, int comparison) => relation switch
    {
        Relation.Equal => comparison == 0,
        Relation.Less => comparison < 0,
        Relation.LessOrEqual => comparison <= 0,
        Relation.Greater => comparison > 0,
        Relation.GreaterOrEqual => comparison >= 0,
        _ => throw new InvalidOperationException($"relation {relation} does not compare numbers"),
    };

    // ---- value syntax -------------------------------------------------------------------------------------------

    /// <summary>A decimal number: optional sign, digits with an optional fraction, optional exponent.</summary>
    public static bool TryParseNumber(string text, out decimal value)
    {
        value = 0;
        var i = 0;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
            i++;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        }
        if (digits == 0)
            return false;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '-' || text[i] == '+'))
                i++;
            var exponentDigits = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; exponentDigits++; }
            if (exponentDigits == 0)
                return false;
        }
        return i == text.Length && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// A date, read by hand: epoch seconds (an optionally negative integer, so an all-digit value is never a basic
    /// ISO date), or an ISO 8601 date <c>YYYY-MM-DD</c> / <c>YYYYMMDD</c> with an optional time <c>Thh:mm[:ss[.f]]</c>
    /// (basic: <c>Thhmm[ss[.f]]</c>) and zone <c>Z</c> or <c>±hh:mm</c>; no zone means UTC. Fractions of a second
    /// have 1 to 7 digits (100 ns ticks). Returns UTC ticks.
    /// </summary>
    public static bool TryParseDate(string text, out long utcTicks)
    {
        utcTicks = 0;
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
                return false;
            try
            {
                utcTicks = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks;
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                return false;
            }
        }

        var at = 0;
        bool Number(int width, out int value)
        {
            value = 0;
            if (at + width > text.Length)
                return false;
            for (var k = 0; k < width; k++)
            {
                if (!char.IsAsciiDigit(text[at + k]))
                    return false;
                value = value * 10 + (text[at + k] - '0');
            }
            at += width;
            return true;
        }
        bool Literal(char c)
        {
            if (at < text.Length && text[at] == c)
            {
                at++;
                return true;
            }
            return false;
        }

        if (!Number(4, out var year))
            return false;
        var extended = Literal('-');
        if (!Number(2, out var month) || (extended && !Literal('-')) || !Number(2, out var day))
            return false;
        int hour = 0, minute = 0, second = 0;
        long fraction = 0;
        var offsetMinutes = 0;
        if (Literal('T'))
        {
            if (!Number(2, out hour) || (extended && !Literal(':')) || !Number(2, out minute))
                return false;
            var hasSeconds = extended ? Literal(':') : at < text.Length && char.IsAsciiDigit(text[at]);
            if (hasSeconds)
            {
                if (!Number(2, out second))
                    return false;
                if (Literal('.'))
                {
                    var start = at;
                    while (at < text.Length && char.IsAsciiDigit(text[at]))
                        at++;
                    var fractionDigits = text[start..at];
                    if (fractionDigits.Length is 0 or > 7)
                        return false;
                    fraction = long.Parse(fractionDigits.PadRight(7, '0'), CultureInfo.InvariantCulture);
                }
            }
            if (!Literal('Z') && at < text.Length)
            {
                var sign = text[at] == '+' ? 1 : text[at] == '-' ? -1 : 0;
                at++;
                if (sign == 0 || !Number(2, out var offsetHours) || !Literal(':') || !Number(2, out var offsetMins) || offsetHours > 14 || offsetMins > 59)
                    return false;
                offsetMinutes = sign * (offsetHours * 60 + offsetMins);
            }
        }
        if (at != text.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
            return false;
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        utcTicks = local - offsetMinutes * TimeSpan.TicksPerMinute;
        return utcTicks >= DateTime.MinValue.Ticks && utcTicks <= DateTime.MaxValue.Ticks;
    }

    /// <summary><c>true</c> or <c>false</c>, in any case.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        value = string.Equals(text, "true", StringComparison.OrdinalIgnoreCase);
        return value || string.Equals(text, "false", StringComparison.OrdinalIgnoreCase);
    }

    private static bool ParseBoolOrThrow(string text) =>
        TryParseBool(text, out var b) ? b : throw new InvalidOperationException($"policy value `{text}` is not a boolean");

    private static bool TryParseBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0)
            return false;
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>An ARN has the shape <c>arn:partition:service:region:account:resource</c> (the resource may hold colons).</summary>
    private static bool LooksLikeArn(string text) => text.StartsWith("arn:", StringComparison.Ordinal) && text.Count(c => c == ':') >= 5;

    /// <summary>
    /// An IP address as bytes: 4 for IPv4 (dotted quad, no leading zeros), 16 for IPv6. An IPv4-mapped IPv6 address
    /// (<c>::ffff:a.b.c.d</c>) is the IPv4 address.
    /// </summary>
    public static bool TryParseAddress(string text, out byte[]? bytes)
    {
        bytes = null;
        var parts = text.Split('.');
        if (parts.Length == 4 && !text.Contains(':'))
        {
            var v4 = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                var p = parts[i];
                if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0'))
                    return false;
                var octet = int.Parse(p, CultureInfo.InvariantCulture);
                if (octet > 255)
                    return false;
                v4[i] = (byte)octet;
            }
            bytes = v4;
            return true;
        }
        // An address carries no zone index (`%eth0`), brackets or prefix.
        if (!text.Contains(':') || text.IndexOfAny(['%', '[', ']', '/']) >= 0
            || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        var v6 = ip.GetAddressBytes();
        var mapped = v6.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xff && v6[11] == 0xff;
        bytes = mapped ? v6[12..] : v6;
        return true;
    }

    /// <summary>A CIDR block <c>address/bits</c> (bits: decimal digits, at most the address width) or a bare address.</summary>
    public static bool TryParseCidr(string text, out byte[]? network, out int bits)
    {
        bits = 0;
        var slash = text.IndexOf('/');
        if (!TryParseAddress(slash < 0 ? text : text[..slash], out network))
            return false;
        if (slash < 0)
        {
            bits = network!.Length * 8;
            return true;
        }
        // A mapped IPv4 block (::ffff:a.b.c.d/n) counts IPv6 bits: it is the IPv4 block /n-96, and refused below /96.
        var mapped = network!.Length == 4 && text[..slash].Contains(':');
        var prefix = text[(slash + 1)..];
        if (prefix.Length is 0 or > 3 || !prefix.All(char.IsAsciiDigit) || !int.TryParse(prefix, CultureInfo.InvariantCulture, out bits))
            return false;
        if (mapped)
            bits -= 96;
        return bits >= 0 && bits <= network.Length * 8;
    }

    /// <summary>Whether the CIDR block (or bare address) <paramref name="cidr"/> contains <paramref name="address"/>.</summary>
    private static bool CidrContains(string cidr, byte[] address)
    {
        if (!TryParseCidr(cidr, out var networkBytes, out var bits))
            throw new InvalidOperationException($"policy value `{cidr}` is not an address or CIDR block");
        if (networkBytes!.Length != address.Length)
            return false;
        for (var bit = 0; bit < bits; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((networkBytes[bit / 8] & mask) != (address[bit / 8] & mask))
                return false;
        }
        return true;
    }

    private static decimal PolicyNumber(ConditionValue v) =>
        TryParseNumber(v.Text, out var n) ? n : throw new InvalidOperationException($"policy value `{v.Text}` is not a number");

    private static long PolicyDate(ConditionValue v) =>
        TryParseDate(v.Text, out var t) ? t : throw new InvalidOperationException($"policy value `{v.Text}` is not a date");
}
