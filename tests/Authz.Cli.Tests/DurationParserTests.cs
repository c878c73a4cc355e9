using Authz.Cli.Commands.Loadtest;

namespace Authz.Cli.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1h2m3s", 3_723_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10", 10_000)]
    [InlineData("0.25", 250)]
    [InlineData("0s", 0)]
    [InlineData(" 10S ", 10_000)]
    public void Parses_the_forms_people_type(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("ten seconds")]
    [InlineData("-5s")]
    [InlineData("30s1m")]
    [InlineData("1m1m")]
    [InlineData("10 s")]
    public void Rejects_anything_else_with_the_input_in_the_message(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.NotNull(error);
        if (text.Length > 0)
            Assert.Contains($"`{text}`", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_durations_longer_than_a_day()
    {
        Assert.False(DurationParser.TryParse("25h", out _, out var error));
        Assert.Contains("longer than a day", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(250, "250ms")]
    [InlineData(3_600_000, "1h")]
    [InlineData(0, "0s")]
    public void Formats_back_to_the_typed_form(double milliseconds, string expected)
    {
        var text = DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationParser.Parse(text));
    }
}
