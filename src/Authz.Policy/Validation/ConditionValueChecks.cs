using System.Buffers.Binary;
using System.Net;
using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>
/// AUTHZ2043 to AUTHZ2048: a condition value that its operator's type cannot read. The compiler rejects these values
/// too (AUTHZ0101); these checks own the message, so each bad value is reported once. Each row of
/// <see cref="All"/> is one check; the acceptance tests are the compiler's own parsers, with the same JSON-type rules.
/// </summary>
internal sealed class ConditionValueCheck(ValidationRule rule, OperatorFamily family, Func<ConditionValue, bool> accepts, Func<ConditionValue, string> problem)
    : ConditionCheck(rule)
{
    public static IEnumerable<PolicyCheck> All() =>
    [
        new ConditionValueCheck(new("AUTHZ2043", Severity.Error, "malformed IP address or CIDR block"), OperatorFamily.Ip,
            v => v.Kind == ConditionValueKind.String && ConditionValues.TryParseCidr(v.Text, out _),
            v => v.Kind == ConditionValueKind.String
                ? $"`{v.Text}` is not an IP address or CIDR block such as `203.0.113.0/24` or `2001:db8::/32`"
                : $"`{v.Text}` must be a JSON string holding an IP address or CIDR block"),
        new ConditionValueCheck(new("AUTHZ2044", Severity.Error, "malformed date"), OperatorFamily.Date,
            v => v.Kind != ConditionValueKind.Boolean && ConditionValues.TryParseDate(v.Text, out _),
            v => v.Kind == ConditionValueKind.Boolean
                ? $"`{v.Text}` is a boolean, not a date"
                : $"`{v.Text}` is not a date: use ISO 8601, as in `2025-01-31T12:00:00Z`, or epoch seconds"),
        new ConditionValueCheck(new("AUTHZ2045", Severity.Error, "malformed number"), OperatorFamily.Numeric,
            v => v.Kind != ConditionValueKind.Boolean && ConditionValues.TryParseNumber(v.Text, out _),
            v => v.Kind == ConditionValueKind.Boolean ? $"`{v.Text}` is a boolean, not a number" : $"`{v.Text}` is not a number"),
        new ConditionValueCheck(new("AUTHZ2046", Severity.Error, "boolean value other than true or false"), OperatorFamily.Bool,
            v => ConditionValues.TryParseBool(v.Text, out _),
            v => $"`{v.Text}` is not a boolean: use `true` or `false`"),
        new ConditionValueCheck(new("AUTHZ2047", Severity.Error, "null-check value other than true or false"), OperatorFamily.Null,
            v => ConditionValues.TryParseBool(v.Text, out _),
            v => $"`Null` takes `true` (the key is absent) or `false` (the key is present), not `{v.Text}`"),
        new ConditionValueCheck(new("AUTHZ2048", Severity.Error, "malformed base64 value"), OperatorFamily.Binary,
            v => v.Kind == ConditionValueKind.String && ConditionValues.TryParseBinary(v.Text, out _),
            v => $"`{v.Text}` is not base64-encoded binary"),
    ];

    public override string? Supersedes => PolicyCompiler.Codes.InvalidConditionValue;

    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (site.Operator.Family != family)
            return;
        foreach (var value in site.Clause.Values)
            // A value with a policy variable is AUTHZ2049's finding.
            if (!accepts(value) && PolicyText.Variables(value.Text).Count == 0)
                Report(context, value.Location, problem(value));
    }
}

/// <summary>AUTHZ2049: a policy variable under an operator that does not substitute variables.</summary>
internal sealed class VariableInTypedOperatorCheck() : ConditionCheck(new("AUTHZ2049", Severity.Error, "policy variable in a non-string operator"))
{
    public override string? Supersedes => PolicyCompiler.Codes.InvalidConditionValue;

    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (site.Operator.SupportsVariables)
            return;
        foreach (var value in site.Clause.Values)
            if (PolicyText.Variables(value.Text) is [var first, ..])
                Report(context, value.Location,
                    $"`{first.Text(value.Text)}` is not substituted under `{site.Block.Operator}`: only string and ARN operators take policy variables");
    }
}

/// <summary>AUTHZ2055: a CIDR block with address bits set after its prefix, which are ignored.</summary>
internal sealed class CidrHostBitsCheck() : ConditionCheck(new("AUTHZ2055", Severity.Suggestion, "host bits set in a CIDR block"))
{
    protected override void Check(ValidationContext context, ConditionSite site)
    {
        if (site.Operator.Family != OperatorFamily.Ip)
            return;
        foreach (var value in site.Clause.Values)
        {
            var text = value.Text;
            var slash = text.IndexOf('/');
            if (slash < 0 || !ConditionValues.TryParseCidr(text, out var range)
                || !ConditionValues.TryParseIp(text.AsSpan(0, slash), out var address, out _) || address == range.Network)
                continue;
            Report(context, value.Location,
                $"`{text}` has address bits set after its /{range.PrefixBits} prefix, which are ignored; write `{Format(range)}/{range.PrefixBits}`");
        }
    }

    private static string Format(IpRange range)
    {
        Span<byte> bytes = stackalloc byte[range.IsV6 ? 16 : 4];
        if (range.IsV6)
            BinaryPrimitives.WriteUInt128BigEndian(bytes, range.Network);
        else
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)range.Network);
        return new IPAddress(bytes).ToString();
    }
}
