using System.CommandLine;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// The options the admin commands share, made once per command so that each command owns its symbols. Names follow
/// the AWS CLI (<c>--policy-arn</c>, <c>--path</c>); entities are <c>--user</c>, <c>--group</c>, <c>--role</c> with the AWS
/// spellings <c>--user-name</c>, <c>--group-name</c>, <c>--role-name</c> as aliases.
/// </summary>
public static class AdminOptions
{
    /// <summary><c>--tenant</c>: required unless <c>AUTHZ_TENANT</c> is set.</summary>
    public static Option<string> Tenant()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("AUTHZ_TENANT") is { Length: > 0 } env ? env : null;
        return new Option<string>("--tenant", "--tenant-id")
        {
            Description = "The tenant id: 12 digits, like an AWS account id [env AUTHZ_TENANT]",
            Required = fromEnvironment is null,
            DefaultValueFactory = fromEnvironment is null ? null : _ => fromEnvironment,
        };
    }

    public static Option<string> User(bool required = true) => Name("--user", "--user-name", "The user name", required);

    public static Option<string> Group(bool required = true) => Name("--group", "--group-name", "The group name", required);

    public static Option<string> Role(bool required = true) => Name("--role", "--role-name", "The role name", required);

    public static Option<string> PolicyArn(string description = "The managed policy ARN, arn:aws:iam::<tenant>:policy/<path><name>") =>
        Required("--policy-arn", description);

    public static Option<string> ResourceArn() => Required("--resource-arn", "The resource ARN, e.g. arn:aws:s3:::ml-data");

    public static Option<string> Path() => Optional("--path", "The path, / (the default) or /segment/.../");

    public static Option<string> PathPrefix() => Optional("--path-prefix", "Only entities whose path starts with this");

    public static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<string> Optional(string name, string description) => new(name) { Description = description };

    public static Option<string[]> Tags(bool required = false) => new("--tag")
    {
        Description = "A tag KEY=VALUE (VALUE may be empty); repeat for more",
        HelpName = "KEY=VALUE",
        Required = required,
    };

    private static Option<string> Name(string name, string alias, string description, bool required) =>
        new(name, alias) { Description = description, Required = required };

    /// <summary>The value of an optional string option, empty when not given (proto3's "unset").</summary>
    public static string ValueOrEmpty(this ParseResult parse, Option<string> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(option) ?? "";
    }

    /// <summary>The tags of a <see cref="Tags"/> option.</summary>
    public static IEnumerable<Tag> TagsOf(this ParseResult parse, Option<string[]> option) =>
        KeyValues(parse, option).Select(kv => new Tag { Key = kv.Key, Value = kv.Value });

    /// <summary>Each <c>KEY=VALUE</c> of a repeated option, split at the first <c>=</c>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> KeyValues(this ParseResult parse, Option<string[]> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(option);
        foreach (var text in parse.GetValue(option) ?? [])
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new AdminUsageException($"invalid {option.Name} `{text}`: expected KEY=VALUE");
            yield return new(text[..equals], text[(equals + 1)..]);
        }
    }
}
