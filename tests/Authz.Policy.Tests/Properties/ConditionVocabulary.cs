using Authz.Policy.Model;
using static Authz.Policy.Tests.Properties.ContextScalar;

namespace Authz.Policy.Tests.Properties;

/// <summary>The value type a condition key carries, and so the operators that fit it.</summary>
public enum KeyType
{
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
}

/// <summary>A condition key with the request values it may take (some of which do not parse as its type).</summary>
public sealed record KeySpec(string Key, KeyType Type, ContextScalar[] RequestValues, bool Multivalued = false);

/// <summary>Condition keys, operators and policy values for the generators.</summary>
public static class ConditionVocabulary
{
    public static readonly KeySpec[] Keys =
    [
        new("aws:username", KeyType.String, [Str("alice"), Str("bob"), Str("Alice"), Str(""), Str("al*ce")]),
        new("aws:PrincipalTag/team", KeyType.String, [Str("ml"), Str("data"), Str("ML"), Str("none")]),
        new("aws:RequestTag/project", KeyType.String, [Str("proj-42"), Str("proj-7"), Str("other"), Num("42")]),
        new("aws:TagKeys", KeyType.String, [Str("a"), Str("b"), Str("c"), Str("Env")], Multivalued: true),
        new("aws:PrincipalArn", KeyType.Arn,
        [
            Str(Vocabulary.Alice), Str(Vocabulary.TrainingRole), Str(Vocabulary.Carol), Str("arn:aws:iam::111122223333:user/alice:x"),
            Str("not-an-arn"),
        ]),
        new("aws:SourceArn", KeyType.Arn,
        [
            Str("arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1"), Str("arn:aws:sagemaker:eu-west-1:444455556666:training-job/job-22"),
            Str("arn:aws:s3:::ml-data/x"),
            // The Guide's example of component-wise matching: the resource part holds what a whole-string match would take for later components.
            Str("arn:aws:sagemaker:us-east-1:444455556666:training-job/x:111122223333:training-job/y"),
        ]),
        new("aws:SourceIp", KeyType.Ip,
        [
            Str("10.1.2.3"), Str("192.168.1.1"), Str("203.0.113.5"), Str("2001:db8::1"), Str("::ffff:10.1.2.3"), Str("2001:db9::1"),
            Str("::1"), Str("10.1.2"), Str("999.1.1.1"), Str("010.1.2.3"), Str("10.0.0.0/8"), Str("nowhere"),
        ]),
        new("aws:MultiFactorAuthPresent", KeyType.Bool, [Bool(true), Bool(false), Str("true"), Str("False"), Str("yes")]),
        new("aws:SecureTransport", KeyType.Bool, [Bool(true), Bool(false), Str("TRUE"), Str("1")]),
        new("aws:MultiFactorAuthAge", KeyType.Numeric,
            [Num("100"), Str("3600"), Num("7200"), Str("1.5"), Num("-1"), Str("1e3"), Num("3600.0"), Str("abc"), Str(""), Str("1,000")]),
        new("aws:CurrentTime", KeyType.Date,
        [
            Str("2024-03-01T12:00:00Z"), Str("2024-03-01T11:59:59Z"), Str("2024-03-01T12:00:00.000Z"), Str("2024-03-01T13:00:00+01:00"),
            Str("2024-03-01"), Str("2023-12-31T23:59:59Z"), Str("2025-06-01T00:00:00Z"), Str("20240301T120000Z"), Str("yesterday"),
            Str("2024-13-01T00:00:00Z"), Str(""),
        ]),
        new("aws:EpochTime", KeyType.Date, [Num("1709294400"), Str("1709294399"), Num("1709294401"), Str("2024-03-01T12:00:00Z"), Str("17e8")]),
        new("custom:Blob", KeyType.Binary, [Str("aGVsbG8="), Str("d29ybGQ="), Str("aGVsbG8"), Str("***")]),
    ];

    public static readonly Dictionary<KeyType, string[]> Operators = new()
    {
        [KeyType.String] = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"],
        [KeyType.Numeric] = ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"],
        [KeyType.Date] = ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"],
        [KeyType.Bool] = ["Bool"],
        [KeyType.Binary] = ["BinaryEquals"],
        [KeyType.Ip] = ["IpAddress", "NotIpAddress"],
        [KeyType.Arn] = ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
    };

    private static ConditionValue S(string text) => new(text, ConditionValueKind.String, SourceLocation.None);
    private static ConditionValue N(string text) => new(text, ConditionValueKind.Number, SourceLocation.None);
    private static ConditionValue B(bool value) => new(value ? "true" : "false", ConditionValueKind.Boolean, SourceLocation.None);

    /// <summary>Policy values each operator family accepts (every one compiles).</summary>
    public static readonly Dictionary<KeyType, ConditionValue[]> PolicyValues = new()
    {
        [KeyType.String] =
        [
            S("alice"), S("al*"), S("${aws:username}"), S("ml"), S("m?"), S("${aws:PrincipalTag/team}"),
            S("${aws:PrincipalTag/team, 'none'}"), S("none"), S("proj-*"), S("proj-42"), S("a"), S("b"), S("Env"), S("*"),
            S(""), S("ALICE"), S("al${*}ce"), S("team-${aws:PrincipalTag/team}"), N("42"),
        ],
        [KeyType.Numeric] = [N("3600"), S("100"), N("1.50"), S("1e3"), N("0"), N("-1"), S("7200"), N("100.0"), N("1E3")],
        [KeyType.Date] =
        [
            S("2024-03-01T12:00:00Z"), S("2024-03-01"), N("1709294400"), S("1709294400"), S("2024-03-01T14:00:00+02:00"),
            S("2025-01-01T00:00:00.5Z"), S("20240301T120000Z"), S("2024-03-01T12:00Z"),
        ],
        [KeyType.Bool] = [B(true), B(false), S("true"), S("FALSE")],
        [KeyType.Binary] = [S("aGVsbG8="), S("d29ybGQ=")],
        [KeyType.Ip] =
        [
            S("10.0.0.0/8"), S("192.168.0.0/16"), S("203.0.113.0/24"), S("10.1.2.3"), S("2001:db8::/32"), S("::1/128"),
            S("0.0.0.0/0"), S("10.1.2.3/8"), S("2001:db8:1::/48"),
        ],
        [KeyType.Arn] =
        [
            S("arn:aws:iam::111122223333:user/a*"), S("arn:aws:iam::*:role/*"), S("arn:aws:iam::111122223333:user/${aws:username}"),
            S("arn:aws:iam::444455556666:*"), S("arn:aws:sagemaker:us-east-1:111122223333:training-job/*"),
            S("arn:aws:sagemaker:*:*:training-job/job-?"), S(Vocabulary.TrainingRole), S("arn:aws:s3:::ml-data/*"), S("*"),
            S("arn:aws:iam::111122223333:user/alice*"), S("arn:aws:*:*:111122223333:*"), S("arn:aws:sagemaker:*:111122223333:training-job/*"),
            S("arn:aws:*:111122223333:*"), S("arn:aws:s3:::ml-data/*:*"),
        ],
    };

    /// <summary>Values for the <c>Null</c> operator.</summary>
    public static readonly ConditionValue[] NullValues = [B(true), B(false), S("true"), S("false")];
}
