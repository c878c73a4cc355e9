using System.Globalization;
using System.Text;

namespace Authz.Grains;

/// <summary>
/// The shape rules of the admin API (names, paths, tags, ARNs), as in AWS IAM. Each check returns null when the value
/// is fine, or a Cedar-style description of what is wrong. The gRPC layer checks requests with these before any grain
/// call; grains rely on keys built from checked values (<see cref="GrainKeys"/>).
/// </summary>
public static class AdminNames
{
    /// <summary>Longest user and role name.</summary>
    public const int MaxPrincipalNameLength = 64;

    /// <summary>Longest group, policy, inline policy and guardrail name.</summary>
    public const int MaxPolicyNameLength = 128;

    public const int MaxPathLength = 512;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;
    public const int MaxDescriptionLength = 1000;
    public const int MaxTenantNameLength = 128;
    public const int MaxResourceArnLength = 2048;
    public const uint DefaultMaxSessionDuration = 3600;
    public const uint MaxMaxSessionDuration = 43200;

    /// <summary>A 12-digit tenant (account) id.</summary>
    public static string? CheckTenantId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length != 12 || !value.All(char.IsAsciiDigit))
        {
            return $"`{Clip(value)}` is not a tenant id: expected 12 decimal digits";
        }

        return null;
    }

    /// <summary>A tenant's display name: 1-128 printable characters.</summary>
    public static string? CheckTenantName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxTenantNameLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxTenantNameLength}";
        }

        return value.Any(char.IsControl) ? "must not contain control characters" : null;
    }

    /// <summary>A user or role name: 1-64 characters of <c>[A-Za-z0-9+=,.@_-]</c>.</summary>
    public static string? CheckPrincipalName(string? value) => CheckName(value, MaxPrincipalNameLength);

    /// <summary>A group, managed policy, inline policy or guardrail name: 1-128 characters of <c>[A-Za-z0-9+=,.@_-]</c>.</summary>
    public static string? CheckPolicyName(string? value) => CheckName(value, MaxPolicyNameLength);

    private static string? CheckName(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > maxLength)
        {
            return $"is {value.Length} characters long, more than the limit of {maxLength}";
        }

        foreach (var c in value)
        {
            if (!IsNameChar(c))
            {
                return $"`{Clip(value)}` contains `{Printable(c)}`: names use only letters, digits and `+=,.@_-`";
            }
        }

        return null;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '=' or ',' or '.' or '@' or '_' or '-';

    /// <summary>
    /// A path: <c>/</c> or <c>/segment/.../</c>, at most 512 printable ASCII characters. Empty means <c>/</c> and is
    /// accepted; use <see cref="NormalizePath"/>.
    /// </summary>
    public static string? CheckPath(string? value)
    {
        if (string.IsNullOrEmpty(value) || value == "/")
        {
            return null;
        }

        if (value.Length > MaxPathLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxPathLength}";
        }

        if (value[0] != '/' || value[^1] != '/')
        {
            return $"`{Clip(value)}` is not a path: it must begin and end with `/`";
        }

        if (value.Contains("//", StringComparison.Ordinal))
        {
            return $"`{Clip(value)}` is not a path: it has an empty segment";
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return $"`{Clip(value)}` contains `{Printable(c)}`: paths use printable ASCII only";
            }
        }

        return null;
    }

    /// <summary>A path prefix filter: empty, or starts with <c>/</c>.</summary>
    public static string? CheckPathPrefix(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > MaxPathLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxPathLength}";
        }

        return value[0] != '/' ? $"`{Clip(value)}` is not a path prefix: it must begin with `/`" : null;
    }

    /// <summary>The stored form of a checked path: empty becomes <c>/</c>.</summary>
    public static string NormalizePath(string? value) => string.IsNullOrEmpty(value) ? "/" : value;

    /// <summary>A tag key: 1-128 characters of letters, digits, spaces and <c>_.:/=+-@</c>, not starting with <c>aws:</c>.</summary>
    public static string? CheckTagKey(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxTagKeyLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxTagKeyLength}";
        }

        if (value.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            return $"`{Clip(value)}` uses the reserved prefix `aws:`";
        }

        return CheckTagChars(value);
    }

    /// <summary>A tag value: 0-256 characters of letters, digits, spaces and <c>_.:/=+-@</c>.</summary>
    public static string? CheckTagValue(string? value)
    {
        value ??= "";
        if (value.Length > MaxTagValueLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxTagValueLength}";
        }

        return CheckTagChars(value);
    }

    private static string? CheckTagChars(string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var ok = Rune.IsLetterOrDigit(rune)
                || category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                || (rune.IsAscii && (char)rune.Value is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@');
            if (!ok)
            {
                return $"`{Clip(value)}` contains `{Printable(rune)}`: tags use letters, digits, spaces and `_.:/=+-@`";
            }
        }

        return null;
    }

    /// <summary>A managed policy version id: <c>v1</c>, <c>v2</c>, ...</summary>
    public static string? CheckVersionId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        return TryParseVersionId(value, out _) ? null : $"`{Clip(value)}` is not a version id: expected `v` and a number, e.g. `v2`";
    }

    /// <summary>Parses <c>v&lt;n&gt;</c>.</summary>
    public static bool TryParseVersionId(string value, out int number)
    {
        number = 0;
        return value.Length is > 1 and <= 10 && value[0] == 'v' && value[1] != '0'
            && int.TryParse(value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;
    }

    /// <summary>Formats version number <paramref name="number"/> as <c>v&lt;n&gt;</c>.</summary>
    public static string VersionId(int number) => "v" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>A description: at most 1,000 characters.</summary>
    public static string? CheckDescription(string? value) =>
        value is { Length: > MaxDescriptionLength } ? $"is {value.Length} characters long, more than the limit of {MaxDescriptionLength}" : null;

    /// <summary>A role's maximum session duration in seconds: 0 (the default, 3600) or 3600-43200.</summary>
    public static string? CheckMaxSessionDuration(uint value) =>
        value == 0 || value is >= DefaultMaxSessionDuration and <= MaxMaxSessionDuration
            ? null
            : $"{value} is outside {DefaultMaxSessionDuration}-{MaxMaxSessionDuration} seconds";

    /// <summary>
    /// A resource ARN: <c>arn:partition:service:region:account:resource</c> naming one resource (no wildcards), at most
    /// 2,048 characters.
    /// </summary>
    public static string? CheckResourceArn(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxResourceArnLength)
        {
            return $"is {value.Length} characters long, more than the limit of {MaxResourceArnLength}";
        }

        var parts = value.Split(':', 6);
        if (parts.Length < 6 || parts[0] != "arn" || parts[1].Length == 0 || parts[2].Length == 0 || parts[5].Length == 0)
        {
            return $"`{Clip(value)}` is not an ARN: expected `arn:partition:service:region:account:resource`";
        }

        if (parts[4].Length != 0 && CheckTenantId(parts[4]) is not null)
        {
            return $"`{Clip(value)}` has `{Clip(parts[4])}` as its account: expected 12 decimal digits or nothing";
        }

        if (value.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            return $"`{Clip(value)}` names no single resource: wildcards are not allowed here";
        }

        if (value.EndsWith('/') || value.Contains("//", StringComparison.Ordinal))
        {
            return $"`{Clip(value)}` has an empty path segment";
        }

        return value.Any(char.IsControl) ? "must not contain control characters" : null;
    }

    /// <summary>
    /// A managed policy ARN of tenant <paramref name="expectedTenant"/> (any tenant when null):
    /// <c>arn:aws:iam::&lt;tenant&gt;:policy&lt;path&gt;&lt;name&gt;</c>.
    /// </summary>
    public static string? CheckPolicyArn(string? value, string? expectedTenant = null)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (!GrainKeys.TryParsePolicyArn(value, out var tenant, out _, out _))
        {
            return $"`{Clip(value)}` is not a managed policy ARN: expected `arn:aws:iam::<tenant_id>:policy/<path/><name>`";
        }

        if (expectedTenant is not null && tenant != expectedTenant)
        {
            return $"`{Clip(value)}` belongs to tenant `{tenant}`, not to `{expectedTenant}`";
        }

        return null;
    }

    private static string Clip(string value) => value.Length <= 80 ? value : value[..77] + "...";

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:x4}" : c.ToString();

    private static string Printable(Rune r) => Rune.IsControl(r) || Rune.IsWhiteSpace(r) ? $"\\u{r.Value:x4}" : r.ToString();
}
