using Spectre.Console;

namespace Authz.Cli.Tests;

/// <summary>A Spectre console that writes plain text to a string, wide enough for the results table.</summary>
internal sealed class TextConsole
{
    private readonly StringWriter _writer = new();

    public TextConsole(int width = 250)
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_writer),
        });
        Console.Profile.Width = width;
    }

    public IAnsiConsole Console { get; }

    public string Output => _writer.ToString();
}
