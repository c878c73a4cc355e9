using System.Diagnostics.CodeAnalysis;

namespace Authz.Policy.Model;

/// <summary>An Amazon Resource Name split into its six parts: arn:partition:service:region:account:resource.</summary>
public readonly record struct Arn(string Partition, string Service, string Region, string Account, string Resource)
{
    /// <summary>Parses an ARN. The resource part may itself contain colons.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Arn? arn)
    {
        arn = null;
        if (text is null || !text.StartsWith("arn:", StringComparison.Ordinal))
            return false;
        var parts = text.Split(':', 6);
        if (parts.Length < 6 || parts[1].Length == 0 || parts[2].Length == 0)
            return false;
        arn = new Arn(parts[1], parts[2], parts[3], parts[4], parts[5]);
        return true;
    }

    /// <summary>Whether <paramref name="text"/> has ARN shape (starts with <c>arn:</c> and has six colon-separated parts).</summary>
    public static bool HasArnShape(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith("arn:", StringComparison.Ordinal))
            return false;
        var colons = 0;
        foreach (var c in text)
            if (c == ':' && ++colons == 5)
                return true;
        return false;
    }

    /// <summary>Whether <paramref name="text"/> is a 12-digit account id.</summary>
    public static bool IsAccountId(ReadOnlySpan<char> text)
    {
        if (text.Length != 12)
            return false;
        foreach (var c in text)
            if (c is < '0' or > '9')
                return false;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"arn:{Partition}:{Service}:{Region}:{Account}:{Resource}";
}
