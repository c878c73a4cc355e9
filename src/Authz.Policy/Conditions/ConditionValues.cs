using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Authz.Policy.Conditions;

/// <summary>Parsers for typed condition values, shared by the compiler (policy side) and the evaluator (request side).</summary>
public static class ConditionValues
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd",
        "yyyyMMdd'T'HHmmss.FFFFFFFK", "yyyyMMdd'T'HHmmssK", "yyyyMMdd'T'HHmmK", "yyyyMMdd",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm",
    ];

    /// <summary>Parses a number: an integer or decimal, optionally with an exponent.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Parses a date: a W3C form of ISO 8601 (UTC when no offset is given) or epoch seconds. Returns UTC ticks.
    /// </summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out long utcTicks)
    {
        utcTicks = 0;
        if (text.IsEmpty)
            return false;
        if (IsEpoch(text))
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                || seconds < -62135596800L || seconds > 253402300799L)
                return false;
            utcTicks = DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond;
            return true;
        }
        if (TryParseUtcTimestamp(text, out utcTicks))
            return true;
        // W3C: a decimal fraction has one or more digits (the F format specifier would accept none).
        var dot = text.IndexOf('.');
        if (dot >= 0 && (dot + 1 >= text.Length || text[dot + 1] is < '0' or > '9'))
            return false;
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            utcTicks = parsed.UtcTicks;
            return true;
        }
        return false;
    }

    /// <summary>
    /// The form request contexts carry (<c>aws:CurrentTime</c>, <c>aws:TokenIssueTime</c>):
    /// <c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z</c>, read without the general parser. Anything else returns false and goes
    /// to <see cref="DateTimeOffset.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>.
    /// </summary>
    private static bool TryParseUtcTimestamp(ReadOnlySpan<char> s, out long utcTicks)
    {
        utcTicks = 0;
        if (s.Length < 20 || s[^1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
            return false;
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
            return false;
        long fraction = 0;
        if (s.Length > 20)
        {
            var digits = s[20..^1];
            if (s[19] != '.' || digits.Length is < 1 or > 7 || !Digits(digits, out var f))
                return false;
            fraction = f;
            for (var i = digits.Length; i < 7; i++)
                fraction *= 10;
        }
        else if (s[19] != 'Z')
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        utcTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        return true;

        static bool Digits(ReadOnlySpan<char> text, out int value)
        {
            value = 0;
            foreach (var c in text)
            {
                if (c is < '0' or > '9')
                    return false;
                value = value * 10 + (c - '0');
            }
            return true;
        }
    }

    private static bool IsEpoch(ReadOnlySpan<char> text)
    {
        var digits = text[0] == '-' ? text[1..] : text;
        if (digits.IsEmpty)
            return false;
        foreach (var c in digits)
            if (c is < '0' or > '9')
                return false;
        return true;
    }

    /// <summary>Parses a boolean written as <c>true</c> or <c>false</c> in any case.</summary>
    public static bool TryParseBool(ReadOnlySpan<char> text, out bool value)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
        value = false;
        return false;
    }

    /// <summary>Parses base64 text to bytes.</summary>
    public static bool TryParseBinary(string text, out byte[] value)
    {
        var buffer = new byte[(text.Length * 3 + 3) / 4];
        if (Convert.TryFromBase64String(text, buffer, out var written) && text.Length > 0)
        {
            value = buffer[..written];
            return true;
        }
        value = [];
        return false;
    }

    /// <summary>Compares base64 request text with policy bytes without allocating for short values.</summary>
    public static bool TryBinaryEquals(ReadOnlySpan<char> text, byte[] expected, out bool equal)
    {
        equal = false;
        Span<byte> buffer = stackalloc byte[Math.Min(1024, (text.Length * 3 + 3) / 4 + 1)];
        if (text.IsEmpty || (text.Length * 3 + 3) / 4 > buffer.Length)
            return false;
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
            return false;
        equal = buffer[..written].SequenceEqual(expected);
        return true;
    }

    /// <summary>Parses an IP address or CIDR block (IPv4 or IPv6). A bare address is a /32 or /128.</summary>
    public static bool TryParseCidr(ReadOnlySpan<char> text, out IpRange range)
    {
        range = default;
        var slash = text.IndexOf('/');
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!TryParseIp(addressText, out var address, out var isV6))
            return false;
        // An IPv4-mapped IPv6 block (::ffff:a.b.c.d/n) is the IPv4 block /n-96; wider than ::ffff:0:0/96 it would mix
        // the two families, so it is refused.
        var mapped = !isV6 && addressText.IndexOf(':') >= 0;
        var maxBits = isV6 || mapped ? 128 : 32;
        var bits = maxBits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > maxBits))
            return false;
        if (mapped && (bits -= 96) < 0)
            return false;
        range = new IpRange(address & IpRange.Mask(bits, isV6), bits, isV6);
        return true;
    }

    /// <summary>
    /// Parses an IP address to a 128-bit value; IPv4 (and IPv4-mapped IPv6) addresses use the low 32 bits with
    /// <paramref name="isV6"/> false. IPv4 parses without allocating.
    /// </summary>
    public static bool TryParseIp(ReadOnlySpan<char> text, out UInt128 address, out bool isV6)
    {
        address = 0;
        isV6 = false;
        if (TryParseIPv4(text, out var v4))
        {
            address = v4;
            return true;
        }
        if (TryParseIPv6(text, out var v6))
        {
            // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address.
            if (v6 >> 32 == 0xFFFF)
                address = (uint)v6;
            else
            {
                address = v6;
                isV6 = true;
            }
            return true;
        }
        if (text.IndexOf(':') < 0 || text.IndexOfAny("%[]") >= 0 || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6 || ip.ScopeId != 0)
            return false;
        if (ip.IsIPv4MappedToIPv6)
        {
            address = BinaryPrimitives.ReadUInt32BigEndian(ip.MapToIPv4().GetAddressBytes());
            return true;
        }
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        address = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        isV6 = true;
        return true;
    }

    /// <summary>
    /// Plain IPv6 text (hex groups, one <c>::</c>, an optional dotted IPv4 tail) without allocating. Other forms
    /// (zone ids, brackets) return false and go to <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>.
    /// </summary>
    private static bool TryParseIPv6(ReadOnlySpan<char> text, out UInt128 value)
    {
        value = 0;
        if (text.Length is < 2 or > 45)
            return false;
        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var gap = -1; // index in groups where "::" stands
        var i = 0;
        if (text[0] == ':')
        {
            if (text[1] != ':')
                return false;
            gap = 0;
            i = 2;
            if (i == text.Length)
                return true; // "::"
        }
        while (i < text.Length)
        {
            if (count == 8)
                return false;
            // A dotted IPv4 tail takes the last two groups.
            var rest = text[i..];
            if (rest.IndexOf('.') >= 0 && rest.IndexOf(':') < 0)
            {
                if (count > 6 || !TryParseIPv4(rest, out var v4))
                    return false;
                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                i = text.Length;
                break;
            }
            var digits = 0;
            var group = 0;
            while (i < text.Length && digits < 5 && char.IsAsciiHexDigit(text[i]))
            {
                group = group * 16 + (text[i] <= '9' ? text[i] - '0' : (text[i] | 0x20) - 'a' + 10);
                digits++;
                i++;
            }
            if (digits is 0 or > 4)
                return false;
            groups[count++] = (ushort)group;
            if (i == text.Length)
                break;
            if (text[i] != ':')
                return false;
            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gap >= 0)
                    return false;
                gap = count;
                i++;
                if (i == text.Length)
                    break;
            }
            else if (i == text.Length)
                return false; // a trailing single colon
        }
        if (gap < 0 ? count != 8 : count > 7)
            return false;
        // Groups after the gap move to the end; the gap is zeros.
        UInt128 result = 0;
        var zeros = 8 - count;
        for (var g = 0; g < count; g++)
        {
            if (g == gap)
                result <<= 16 * zeros;
            result = (result << 16) | groups[g];
        }
        if (gap == count)
            result <<= 16 * zeros;
        value = result;
        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var parts = 0;
        var i = 0;
        while (parts < 4)
        {
            var start = i;
            uint octet = 0;
            while (i < text.Length && text[i] is >= '0' and <= '9' && i - start < 3)
                octet = octet * 10 + (uint)(text[i++] - '0');
            if (i == start || octet > 255 || (i - start > 1 && text[start] == '0'))
                return false;
            value = (value << 8) | octet;
            parts++;
            if (parts < 4)
            {
                if (i >= text.Length || text[i] != '.')
                    return false;
                i++;
            }
        }
        return i == text.Length;
    }
}

/// <summary>A CIDR block: network address (masked), prefix length and family.</summary>
public readonly record struct IpRange(UInt128 Network, int PrefixBits, bool IsV6)
{
    /// <summary>The mask for a prefix length.</summary>
    public static UInt128 Mask(int bits, bool isV6)
    {
        var width = isV6 ? 128 : 32;
        if (bits == 0)
            return 0;
        var all = isV6 ? UInt128.MaxValue : uint.MaxValue;
        return (all >> (width - bits)) << (width - bits);
    }

    /// <summary>Whether an address of the given family falls in this block.</summary>
    public bool Contains(UInt128 address, bool isV6) => isV6 == IsV6 && (address & Mask(PrefixBits, IsV6)) == Network;
}
