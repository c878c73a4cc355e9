namespace Authz.Grains.Tests;

internal static class Documents
{
    public static string Allow(string action, string resource = "*") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"{{action}}","Resource":"{{resource}}"}]}""";

    public static string Deny(string action, string resource = "*") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"{{action}}","Resource":"{{resource}}"}]}""";

    public static string BucketPolicy(string principalArn, string action, string resource) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principalArn}}"},"Action":"{{action}}","Resource":"{{resource}}"}]}""";

    public static string Trust(string service = "sagemaker.amazonaws.com") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"{{service}}"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>Malformed on line 3, column 1.</summary>
    public const string Malformed = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n";

    public const string UnknownOperator = """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": { "StringEqualz": { "aws:username": "alice" } }
          }]
        }
        """;

    /// <summary>An identity document of more than <paramref name="characters"/> non-whitespace characters.</summary>
    public static string Oversized(int characters) =>
        Allow("s3:GetObject", "arn:aws:s3:::" + new string('b', characters));
}
