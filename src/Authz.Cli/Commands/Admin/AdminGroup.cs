using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// A command group (<c>authz user ...</c>) with the global options, and the three shapes of verb in it: a single call
/// whose response is printed (every write prints the new revision this way), a list that pages through every page and
/// prints a table, and a verb with its own body.
/// </summary>
public sealed class AdminGroup
{
    private readonly AdminGlobals _globals;

    public AdminGroup(string name, string description, AdminGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        _globals = globals;
        Command = new Command(name, description);
        globals.AddTo(Command);
    }

    public Command Command { get; }

    /// <summary>A verb that makes one call and prints the response (entity fields, then <c>revision</c> for writes).</summary>
    public Command Unary<TResponse>(string name, string description, IEnumerable<Symbol> symbols,
        Func<ParseResult, AdminInvocation, AsyncUnaryCall<TResponse>> call)
        where TResponse : IMessage =>
        Verb(name, description, symbols, async (parse, invocation) =>
        {
            using var pending = call(parse, invocation);
            invocation.Print(await pending.ResponseAsync.ConfigureAwait(false));
            return AdminExitCodes.Ok;
        });

    /// <summary>As the other overload, for verbs whose call depends on the input (a user's, group's or role's RPC).</summary>
    public Command Unary(string name, string description, IEnumerable<Symbol> symbols,
        Func<ParseResult, AdminInvocation, Task<IMessage>> call) =>
        Verb(name, description, symbols, async (parse, invocation) =>
        {
            invocation.Print(await call(parse, invocation).ConfigureAwait(false));
            return AdminExitCodes.Ok;
        });

    /// <summary>
    /// A verb that lists: it follows <c>next_page_token</c> to the end and prints a table, or with
    /// <c>--output json</c> the response message with every page's items.
    /// </summary>
    public Command List<TResponse, TItem>(string name, string description, IEnumerable<Symbol> symbols,
        Func<ParseResult, AdminInvocation, string, AsyncUnaryCall<TResponse>> page, Func<TResponse, IReadOnlyList<TItem>> items,
        params Column<TItem>[] columns)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(items);
        return Verb(name, description, symbols, async (parse, invocation) =>
        {
            var all = await AllPagesAsync(token => page(parse, invocation, token)).ConfigureAwait(false);
            if (invocation.Json)
                invocation.Print(all);
            else
                invocation.Output.Write(TextTable.Format(items(all), columns));
            return AdminExitCodes.Ok;
        });
    }

    /// <summary>A verb with its own body; the body returns the exit code.</summary>
    public Command Verb(string name, string description, IEnumerable<Symbol> symbols, Func<ParseResult, AdminInvocation, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(run);
        var verb = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    verb.Options.Add(option);
                    break;
                case Argument argument:
                    verb.Arguments.Add(argument);
                    break;
                default:
                    throw new ArgumentException($"unsupported symbol `{symbol.Name}`", nameof(symbols));
            }
        }
        verb.SetAction((parse, cancellationToken) =>
            AdminInvocation.RunAsync(parse, _globals, invocation => run(parse, invocation), cancellationToken));
        Command.Subcommands.Add(verb);
        return verb;
    }

    /// <summary>Every page merged into the first response, whose <c>next_page_token</c> is then cleared.</summary>
    public static async Task<TResponse> AllPagesAsync<TResponse>(Func<string, AsyncUnaryCall<TResponse>> page)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(page);
        TResponse? all = default;
        var token = "";
        do
        {
            using var call = page(token);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            var tokenField = response.Descriptor.FindFieldByName("next_page_token")
                ?? throw new InvalidOperationException($"{response.Descriptor.Name} has no next_page_token");
            token = (string)tokenField.Accessor.GetValue(response);
            tokenField.Accessor.SetValue(response, "");
            if (all is null)
                all = response;
            else
                all.MergeFrom(response);
        }
        while (token.Length > 0);
        return all;
    }
}
