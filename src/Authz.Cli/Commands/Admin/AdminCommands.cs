using System.CommandLine;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// The commands that talk to a running Authz server through <see cref="Authz.Client.AuthzClient"/>: one group per area
/// of the Admin API, and <c>check</c> for the decision API. Each takes <c>--target</c>, <c>--api-key</c> and
/// <c>--output</c>; each write prints the tenant's new revision; a failed call prints the status and its details on
/// standard error and exits 1.
/// </summary>
public static class AdminCommands
{
    /// <summary>Adds every admin command to <paramref name="root"/>; <paramref name="input"/> replaces standard input in tests.</summary>
    public static void AddTo(Command root, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var globals = new AdminGlobals(input);
        Command[] commands =
        [
            TenantCommands.Create(globals),
            UserCommands.Create(globals),
            GroupCommands.Create(globals),
            RoleCommands.Create(globals),
            PolicyCommands.Create(globals),
            InlinePolicyCommands.Create(globals),
            BoundaryCommands.Create(globals),
            ResourceCommands.CreateResource(globals),
            ResourceCommands.CreateResourcePolicy(globals),
            GuardrailCommands.Create(globals),
            CheckCommand.Create(globals),
        ];
        foreach (var command in commands)
            root.Subcommands.Add(command);
    }
}
