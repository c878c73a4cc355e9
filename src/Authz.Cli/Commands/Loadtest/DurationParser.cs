using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// Durations as people type them: <c>10s</c>, <c>1m</c>, <c>1m30s</c>, <c>500ms</c>, <c>2h</c>; a bare number is
/// seconds (<c>10</c>, <c>0.5</c>). Units: <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>.
/// </summary>
public static class DurationParser
{
    /// <summary>Parses a duration; the error names the input in backticks and the accepted forms.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, [NotNullWhen(false)] out string? error)
    {
        duration = TimeSpan.Zero;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            error = "empty duration: expected a number with a unit, such as `10s`, `1m` or `500ms`";
            return false;
        }

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
            return Finish(TimeSpan.FromSeconds(bare), text!, out duration, out error);

        var total = 0.0;
        var i = 0;
        var previousUnitRank = int.MaxValue;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                i++;
            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return Fail(text!, out error);
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
                i++;
            var (milliseconds, rank) = s[unitStart..i].ToLowerInvariant() switch
            {
                "h" => (3_600_000.0, 3),
                "m" => (60_000.0, 2),
                "s" => (1_000.0, 1),
                "ms" => (1.0, 0),
                _ => (-1.0, -1),
            };
            // Each unit at most once, from largest to smallest: `1m30s`, not `30s1m`.
            if (rank < 0 || rank >= previousUnitRank)
                return Fail(text!, out error);
            previousUnitRank = rank;
            total += number * milliseconds;
        }
        return Finish(TimeSpan.FromMilliseconds(total), text!, out duration, out error);
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration, out var error) ? duration : throw new FormatException(error);

    /// <summary>Formats a duration the way it is typed: <c>10s</c>, <c>1m30s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
            return "0s";
        if (duration.TotalSeconds < 1 || duration.Milliseconds != 0)
            return duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        var parts = new List<string>(3);
        if ((int)duration.TotalHours > 0)
            parts.Add((int)duration.TotalHours + "h");
        if (duration.Minutes > 0)
            parts.Add(duration.Minutes + "m");
        if (duration.Seconds > 0)
            parts.Add(duration.Seconds + "s");
        return string.Concat(parts);
    }

    private static bool Finish(TimeSpan value, string text, out TimeSpan duration, [NotNullWhen(false)] out string? error)
    {
        duration = value;
        if (value > TimeSpan.FromDays(1))
        {
            error = $"duration `{text}` is longer than a day";
            return false;
        }
        error = null;
        return true;
    }

    private static bool Fail(string text, out string error)
    {
        error = $"invalid duration `{text}`: expected a number with a unit (`ms`, `s`, `m`, `h`), such as `10s`, `1m30s` or `500ms`";
        return false;
    }
}
