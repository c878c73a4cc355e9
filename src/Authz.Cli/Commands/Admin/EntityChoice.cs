using System.CommandLine;

namespace Authz.Cli.Commands.Admin;

/// <summary>The kind of identity a command acts on.</summary>
public enum EntityKind
{
    User,
    Group,
    Role,
}

/// <summary>
/// "Exactly one of <c>--user</c>, <c>--group</c>, <c>--role</c>" (or a subset of them), for commands that act the same
/// way on several kinds of identity: attaching a policy, inline policies, permissions boundaries.
/// </summary>
public sealed class EntityChoice
{
    private readonly Dictionary<EntityKind, Option<string>> _options;

    public EntityChoice(params EntityKind[] kinds)
    {
        _options = kinds.ToDictionary(kind => kind, kind => kind switch
        {
            EntityKind.User => AdminOptions.User(required: false),
            EntityKind.Group => AdminOptions.Group(required: false),
            _ => AdminOptions.Role(required: false),
        });
    }

    public IEnumerable<Symbol> Symbols => _options.Values;

    /// <summary>The kind and name given; throws <see cref="AdminUsageException"/> unless exactly one option is given.</summary>
    public (EntityKind Kind, string Name) Get(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var given = _options.Where(o => parse.GetValue(o.Value) is { Length: > 0 }).ToList();
        if (given.Count != 1)
            throw new AdminUsageException($"give exactly one of {string.Join(", ", _options.Values.Select(o => o.Name))}");
        return (given[0].Key, parse.GetValue(given[0].Value)!);
    }
}
