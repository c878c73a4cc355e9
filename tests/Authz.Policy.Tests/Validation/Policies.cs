namespace Authz.Policy.Tests.Validation;

/// <summary>
/// Small builders for policy JSON in tests. Statements are written with single quotes for readability and turned
/// into JSON here; a real single quote inside a value is written as the JSON escape <c>\u0027</c>.
/// </summary>
internal static class Policies
{
    public static string J(string text) => text.Replace('\'', '"');

    /// <summary>A 2012-10-17 document with the given statements.</summary>
    public static string Doc(params string[] statements) => Document("'Version':'2012-10-17',", statements);

    /// <summary>A 2008-10-17 document.</summary>
    public static string Legacy(params string[] statements) => Document("'Version':'2008-10-17',", statements);

    /// <summary>A document without <c>Version</c>.</summary>
    public static string NoVersion(params string[] statements) => Document("", statements);

    private static string Document(string version, string[] statements) =>
        J("{" + version + "'Statement':[" + string.Join(",", statements) + "]}");

    /// <summary>An identity-style statement.</summary>
    public static string Stmt(string effect = "Allow", string action = "'s3:GetObject'", string resource = "'arn:aws:s3:::bucket/*'", string extra = "") =>
        $"{{'Effect':'{effect}','Action':{action},'Resource':{resource}{Extra(extra)}}}";

    /// <summary>A resource-policy statement.</summary>
    public static string Res(string principal, string effect = "Allow", string action = "'s3:GetObject'", string resource = "'arn:aws:s3:::bucket/*'", string extra = "") =>
        $"{{'Effect':'{effect}',{principal},'Action':{action},'Resource':{resource}{Extra(extra)}}}";

    /// <summary>An identity-style statement with one condition element.</summary>
    public static string Cond(string condition, string effect = "Allow") => Stmt(effect, extra: $"'Condition':{{{condition}}}");

    private static string Extra(string extra) => extra.Length == 0 ? "" : "," + extra;
}
