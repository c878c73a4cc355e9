using System.CommandLine;
using Authz.Cli.Commands;

var root = new RootCommand("authz: the Authz policy engine and service command line")
{
    SimulateCommand.Create(),
    Authz.Cli.Commands.Loadtest.LoadtestCommand.Create(),
    ValidateCommand.Create(),
    MeasureWritesCommand.Create(),
    AuditCommand.Create(),
};
Authz.Cli.Commands.Admin.AdminCommands.AddTo(root);
return await root.Parse(args).InvokeAsync();
