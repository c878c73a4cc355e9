using System.CommandLine;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// The options every admin command takes (<c>--target</c>, <c>--api-key</c>, <c>--output</c>), added as recursive
/// options to each command group, and where the commands read a document given as <c>--document -</c>.
/// </summary>
public sealed class AdminGlobals
{
    /// <summary>The server the commands talk to when neither <c>--target</c> nor <c>AUTHZ_TARGET</c> says otherwise.</summary>
    public const string DefaultTarget = "127.0.0.1:50051";

    /// <summary>Creates the options; <paramref name="input"/> is standard input unless a test supplies its own.</summary>
    public AdminGlobals(TextReader? input = null)
    {
        Input = input ?? Console.In;
        Target = new Option<string>("--target")
        {
            Description = "Server address: host:port (h2c), http://host:port or https://host:port [env AUTHZ_TARGET]",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AUTHZ_TARGET") is { Length: > 0 } env ? env : DefaultTarget,
        };
        // No default value factory: help would print the key from the environment.
        ApiKey = new Option<string?>("--api-key")
        {
            Description = "Send `authorization: Bearer <key>` with every call [env AUTHZ_API_KEY]",
            Recursive = true,
        };
        Output = new Option<string>("--output", "-o")
        {
            Description = "text: readable fields and tables; json: the response message as JSON (proto field names)",
            Recursive = true,
            DefaultValueFactory = _ => "text",
        };
        Output.AcceptOnlyFromAmong("text", "json");
    }

    public Option<string> Target { get; }

    public Option<string?> ApiKey { get; }

    public Option<string> Output { get; }

    /// <summary>Where <c>--document -</c> is read from.</summary>
    public TextReader Input { get; }

    /// <summary>Adds the three options to <paramref name="command"/> and, being recursive, to its subcommands.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Target);
        command.Options.Add(ApiKey);
        command.Options.Add(Output);
    }

    /// <summary>The API key from <c>--api-key</c>, else from <c>AUTHZ_API_KEY</c>; null when neither is set.</summary>
    public string? ApiKeyFrom(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(ApiKey) is { Length: > 0 } key ? key
            : Environment.GetEnvironmentVariable("AUTHZ_API_KEY") is { Length: > 0 } env ? env : null;
    }
}
