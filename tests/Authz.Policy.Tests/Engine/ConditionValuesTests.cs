using Authz.Policy.Conditions;

namespace Authz.Policy.Tests.Engine;

/// <summary>Typed condition values: dates, numbers, booleans, base64 and IP addresses/CIDR blocks.</summary>
public sealed class ConditionValuesTests
{
    private static long Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int millisecond = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero).UtcTicks;

    public static TheoryData<string, long> Dates => new()
    {
        { "2024-03-01", Utc(2024, 3, 1) },
        { "2024-03-01T12:00:00Z", Utc(2024, 3, 1, 12) },
        { "2024-03-01T12:00Z", Utc(2024, 3, 1, 12) },
        { "2024-03-01T12:00:00.250Z", Utc(2024, 3, 1, 12, 0, 0, 250) },
        { "2024-03-01T14:00:00+02:00", Utc(2024, 3, 1, 12) },
        { "2024-03-01T07:00:00-05:00", Utc(2024, 3, 1, 12) },
        { "2024-03-01T12:00:00", Utc(2024, 3, 1, 12) },             // no zone: UTC
        { "20240301T120000Z", Utc(2024, 3, 1, 12) },
        { "1709294400", Utc(2024, 3, 1, 12) },                      // epoch seconds
        { "0", Utc(1970, 1, 1) },
        { "-86400", Utc(1969, 12, 31) },
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void Dates_parse_in_iso_8601_forms_and_epoch_seconds(string text, long expectedUtcTicks)
    {
        Assert.True(ConditionValues.TryParseDate(text, out var ticks));
        Assert.Equal(expectedUtcTicks, ticks);
    }

    [Fact]
    public void An_all_digit_value_is_epoch_seconds_even_when_it_reads_as_a_basic_iso_date()
    {
        // docs/semantics.md: "an all-digit value is epoch seconds".
        Assert.True(ConditionValues.TryParseDate("20240301", out var ticks));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(20_240_301).UtcTicks, ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("2024-03-01T25:00:00Z")]
    [InlineData("1709294400.5")]
    [InlineData("99999999999999")]
    [InlineData("-")]
    [InlineData("2024-03-01T12:00:00.Z")]      // W3C: a decimal fraction has "one or more digits"
    public void Malformed_dates_do_not_parse(string text)
    {
        Assert.False(ConditionValues.TryParseDate(text, out _));
    }

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("-1", -1)]
    [InlineData("+7", 7)]
    [InlineData("1.50", 1.5)]
    [InlineData("1e3", 1000)]
    [InlineData("2E-2", 0.02)]
    [InlineData(".5", 0.5)]
    [InlineData("007", 7)]
    public void Numbers_parse_as_decimals(string text, double expected)
    {
        Assert.True(ConditionValues.TryParseNumber(text, out var value));
        Assert.Equal((decimal)expected, value);
    }

    [Fact]
    public void Equal_numbers_in_different_spellings_compare_equal()
    {
        ConditionValues.TryParseNumber("1", out var a);
        ConditionValues.TryParseNumber("1.000", out var b);
        ConditionValues.TryParseNumber("0.1e1", out var c);

        Assert.Equal(0, a.CompareTo(b));
        Assert.Equal(0, a.CompareTo(c));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1,000")]
    [InlineData(" 1")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    public void Malformed_numbers_do_not_parse(string text)
    {
        Assert.False(ConditionValues.TryParseNumber(text, out _));
    }

    [Theory]
    [InlineData("true", true, true)]
    [InlineData("False", true, false)]
    [InlineData("TRUE", true, true)]
    [InlineData("yes", false, false)]
    [InlineData("1", false, false)]
    [InlineData("", false, false)]
    public void Booleans_parse_case_insensitively(string text, bool parses, bool expected)
    {
        Assert.Equal(parses, ConditionValues.TryParseBool(text, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Binary_values_are_base64()
    {
        Assert.True(ConditionValues.TryParseBinary("aGVsbG8=", out var hello));
        Assert.Equal("hello"u8.ToArray(), hello);
        Assert.False(ConditionValues.TryParseBinary("aGVsbG8", out _));
        Assert.False(ConditionValues.TryParseBinary("", out _));
        Assert.True(ConditionValues.TryBinaryEquals("aGVsbG8=", hello, out var equal) && equal);
        Assert.True(ConditionValues.TryBinaryEquals("d29ybGQ=", hello, out equal) && !equal);
        Assert.False(ConditionValues.TryBinaryEquals("***", hello, out _));
    }

    private static bool InRange(string cidr, string address)
    {
        Assert.True(ConditionValues.TryParseCidr(cidr, out var range), $"`{cidr}` should parse");
        Assert.True(ConditionValues.TryParseIp(address, out var ip, out var isV6), $"`{address}` should parse");
        return range.Contains(ip, isV6);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("203.0.113.0/24", "203.0.113.255", true)]
    [InlineData("203.0.113.0/24", "203.0.114.0", false)]
    [InlineData("10.1.2.3", "10.1.2.3", true)]                 // a bare address is a /32
    [InlineData("10.1.2.3", "10.1.2.4", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]               // host bits in the block are ignored
    [InlineData("0.0.0.0/0", "192.168.1.1", true)]
    [InlineData("2001:db8::/32", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8:1::/48", "2001:DB8:1:ffff::1", true)]
    [InlineData("::1/128", "::1", true)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]        // IPv4-mapped IPv6 is the IPv4 address
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]      // a mapped block counts IPv6 bits: 10.0.0.0/8
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.9.9.9", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.0.0.1", false)]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3", true)]
    [InlineData("::/0", "10.1.2.3", false)]                    // families do not mix
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    public void Cidr_blocks_contain_addresses(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, InRange(cidr, address));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("::ffff:10.0.0.0/95")]                         // wider than the mapped space: mixes families
    [InlineData("::ffff:10.0.0.0/129")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0/8")]
    [InlineData("256.0.0.0/8")]
    [InlineData("010.0.0.0/8")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("fe80::1%0/64")]
    [InlineData("[::1]/128")]
    [InlineData("not-an-ip")]
    [InlineData("")]
    public void Malformed_cidr_blocks_do_not_parse(string text)
    {
        Assert.False(ConditionValues.TryParseCidr(text, out _));
    }

    [Theory]
    [InlineData("10.1.2")]
    [InlineData("10.1.2.3.4")]
    [InlineData("999.1.1.1")]
    [InlineData("01.1.1.1")]
    [InlineData("10.1.2.3/32")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("fe80::1%1")]
    [InlineData("fe80::1%0")]                  // a zone index is not part of an address, whatever its number
    [InlineData("[::1]")]                      // URL host syntax, not an address
    [InlineData("nowhere")]
    [InlineData("")]
    public void Malformed_addresses_do_not_parse(string text)
    {
        Assert.False(ConditionValues.TryParseIp(text, out _, out _));
    }

    [Fact]
    public void Ipv6_addresses_parse_in_every_notation()
    {
        Assert.True(ConditionValues.TryParseIp("2001:0db8:0000:0000:0000:0000:0000:0001", out var full, out var v6));
        Assert.True(v6);
        Assert.True(ConditionValues.TryParseIp("2001:db8::1", out var compressed, out _));
        Assert.Equal(full, compressed);
        Assert.True(ConditionValues.TryParseIp("::ffff:10.1.2.3", out var mapped, out var mappedIsV6));
        Assert.False(mappedIsV6);
        Assert.True(ConditionValues.TryParseIp("10.1.2.3", out var v4, out _));
        Assert.Equal(v4, mapped);
    }
}
