using System.Collections.Frozen;
using Authz.Policy.Conditions;

namespace Authz.Policy.Validation;

/// <summary>The value type of a condition key, as AWS's global condition key reference lists it.</summary>
internal enum ConditionKeyType { String, Arn, Numeric, Date, EpochTime, Bool, Ip }

/// <summary>What the validator knows about one global condition key.</summary>
/// <param name="Name">The key's canonical spelling.</param>
/// <param name="Type">The type of its values.</param>
/// <param name="MultiValued">True for <c>ArrayOf...</c> keys, which need <c>ForAnyValue:</c> or <c>ForAllValues:</c>.</param>
/// <param name="IdentifiesCaller">
/// True when a positive condition on the key limits who the caller can be (account, organization, ARN, network),
/// so that a <c>Principal: "*"</c> statement with it is not open to everyone.
/// </param>
internal sealed record ConditionKeyInfo(string Name, ConditionKeyType Type, bool MultiValued = false, bool IdentifiesCaller = false);

/// <summary>
/// The global (<c>aws:</c>) condition keys AWS documents, in one place: the unknown-key, qualifier, type and
/// public-access checks all read this table.
/// </summary>
internal static class GlobalConditionKeys
{
    private const ConditionKeyType S = ConditionKeyType.String;

    private static readonly ConditionKeyInfo[] Keys =
    [
        // Properties of the principal.
        new("aws:PrincipalArn", ConditionKeyType.Arn, IdentifiesCaller: true),
        new("aws:PrincipalAccount", S, IdentifiesCaller: true),
        new("aws:PrincipalOrgID", S, IdentifiesCaller: true),
        new("aws:PrincipalOrgPaths", S, MultiValued: true, IdentifiesCaller: true),
        new("aws:PrincipalIsAWSService", ConditionKeyType.Bool),
        new("aws:PrincipalServiceName", S, IdentifiesCaller: true),
        new("aws:PrincipalServiceNamesList", S, MultiValued: true, IdentifiesCaller: true),
        new("aws:PrincipalType", S),
        new("aws:userid", S, IdentifiesCaller: true),
        new("aws:username", S, IdentifiesCaller: true),
        // Properties of the role session.
        new("aws:AssumedRoot", ConditionKeyType.Bool),
        new("aws:FederatedProvider", S),
        new("aws:TokenIssueTime", ConditionKeyType.Date),
        new("aws:MultiFactorAuthAge", ConditionKeyType.Numeric),
        new("aws:MultiFactorAuthPresent", ConditionKeyType.Bool),
        new("aws:ChatbotSourceArn", ConditionKeyType.Arn),
        new("aws:Ec2InstanceSourceVpc", S),
        new("aws:Ec2InstanceSourcePrivateIPv4", ConditionKeyType.Ip),
        new("aws:SourceIdentity", S),
        // Properties of the network.
        new("aws:SourceIp", ConditionKeyType.Ip, IdentifiesCaller: true),
        new("aws:SourceVpc", S, IdentifiesCaller: true),
        new("aws:SourceVpcArn", ConditionKeyType.Arn, IdentifiesCaller: true),
        new("aws:SourceVpce", S, IdentifiesCaller: true),
        new("aws:VpcSourceIp", ConditionKeyType.Ip, IdentifiesCaller: true),
        new("aws:VpceAccount", S, IdentifiesCaller: true),
        new("aws:VpceOrgID", S, IdentifiesCaller: true),
        new("aws:VpceOrgPaths", S, MultiValued: true, IdentifiesCaller: true),
        // Properties of the resource.
        new("aws:ResourceAccount", S),
        new("aws:ResourceOrgID", S),
        new("aws:ResourceOrgPaths", S, MultiValued: true),
        // Properties of the request.
        new("aws:CalledVia", S, MultiValued: true),
        new("aws:CalledViaFirst", S),
        new("aws:CalledViaLast", S),
        new("aws:ViaAWSService", ConditionKeyType.Bool),
        new("aws:CurrentTime", ConditionKeyType.Date),
        new("aws:EpochTime", ConditionKeyType.EpochTime),
        new("aws:referer", S),
        new("aws:RequestedRegion", S),
        new("aws:TagKeys", S, MultiValued: true),
        new("aws:SecureTransport", ConditionKeyType.Bool),
        new("aws:SourceAccount", S, IdentifiesCaller: true),
        new("aws:SourceArn", ConditionKeyType.Arn, IdentifiesCaller: true),
        new("aws:SourceOrgID", S, IdentifiesCaller: true),
        new("aws:SourceOrgPaths", S, MultiValued: true, IdentifiesCaller: true),
        new("aws:UserAgent", S),
    ];

    /// <summary>Keys written as a prefix plus a tag key, such as <c>aws:ResourceTag/team</c>.</summary>
    private static readonly ConditionKeyInfo[] TagKeys =
    [
        new("aws:RequestTag/", S),
        new("aws:ResourceTag/", S),
        new("aws:PrincipalTag/", S),
    ];

    private static readonly FrozenDictionary<string, ConditionKeyInfo> ByName =
        Keys.ToFrozenDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every documented key name (tag keys as their prefix), for suggestions.</summary>
    public static IEnumerable<string> Names => Keys.Select(k => k.Name).Concat(TagKeys.Select(k => k.Name));

    /// <summary>Whether <paramref name="key"/> is in the global <c>aws:</c> namespace.</summary>
    public static bool IsGlobal(string key) => key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The documented key <paramref name="key"/> names (case-insensitively), or null.</summary>
    public static ConditionKeyInfo? Find(string key)
    {
        if (ByName.TryGetValue(key, out var info))
            return info;
        foreach (var tag in TagKeys)
            if (key.Length > tag.Name.Length && key.StartsWith(tag.Name, StringComparison.OrdinalIgnoreCase))
                return tag;
        return null;
    }

    /// <summary>The tag-key prefix <paramref name="key"/> is missing its tag key from (<c>aws:ResourceTag</c>), or null.</summary>
    public static string? TagPrefixWithoutKey(string key)
    {
        foreach (var tag in TagKeys)
            if (key.Equals(tag.Name, StringComparison.OrdinalIgnoreCase) || key.Equals(tag.Name[..^1], StringComparison.OrdinalIgnoreCase))
                return tag.Name[..^1];
        return null;
    }

    /// <summary>Whether an operator of <paramref name="family"/> can compare values of <paramref name="type"/>.</summary>
    public static bool Accepts(ConditionKeyType type, OperatorFamily family) => family switch
    {
        OperatorFamily.Null => true,
        OperatorFamily.String => type is ConditionKeyType.String or ConditionKeyType.Arn,
        OperatorFamily.Arn => type == ConditionKeyType.Arn,
        OperatorFamily.Numeric => type is ConditionKeyType.Numeric or ConditionKeyType.EpochTime,
        OperatorFamily.Date => type is ConditionKeyType.Date or ConditionKeyType.EpochTime,
        OperatorFamily.Bool => type == ConditionKeyType.Bool,
        OperatorFamily.Ip => type == ConditionKeyType.Ip,
        _ => false,
    };

    /// <summary>The operators to use for a key type, for messages.</summary>
    public static string Describe(ConditionKeyType type) => type switch
    {
        ConditionKeyType.String => "a string; use a `String` operator",
        ConditionKeyType.Arn => "an ARN; use an `Arn` or `String` operator",
        ConditionKeyType.Numeric => "a number; use a `Numeric` operator",
        ConditionKeyType.Date => "a date; use a `Date` operator",
        ConditionKeyType.EpochTime => "a time; use a `Date` or `Numeric` operator",
        ConditionKeyType.Bool => "a boolean; use `Bool`",
        _ => "an IP address; use `IpAddress` or `NotIpAddress`",
    };
}
