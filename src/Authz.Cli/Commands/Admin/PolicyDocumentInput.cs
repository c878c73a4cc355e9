using System.CommandLine;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// Where a command's policy document comes from: <c>--document FILE</c>, <c>--document -</c> (standard input) or
/// <c>--document-json '{...}'</c>, exactly one of them. The text is sent as written; the server parses and validates
/// it and answers with line and column when it is wrong.
/// </summary>
public sealed class PolicyDocumentInput
{
    public PolicyDocumentInput(string what)
    {
        File = new Option<string?>("--document")
        {
            Description = $"The {what} (JSON) from a file, or - for standard input",
            HelpName = "FILE",
        };
        Json = new Option<string?>("--document-json")
        {
            Description = $"The {what} (JSON) given inline",
            HelpName = "JSON",
        };
    }

    public Option<string?> File { get; }

    public Option<string?> Json { get; }

    /// <summary>The two options, to list among a command's symbols.</summary>
    public IEnumerable<Symbol> Symbols => [File, Json];

    /// <summary>Reads the document; throws <see cref="AdminUsageException"/> when it is missing, doubled or unreadable.</summary>
    public string Read(ParseResult parse, TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(standardInput);
        var path = parse.GetValue(File);
        var json = parse.GetValue(Json);
        return (path, json) switch
        {
            (null, null) => throw new AdminUsageException("a policy document is required: --document FILE, --document - (standard input) or --document-json JSON"),
            ({ }, { }) => throw new AdminUsageException("give the policy document once: --document or --document-json, not both"),
            (null, { } inline) => inline,
            ("-", null) => standardInput.ReadToEnd(),
            ({ } file, null) => ReadFile(file),
        };
    }

    private static string ReadFile(string path)
    {
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied or not a file",
                _ => "the file cannot be read",
            };
            throw new AdminUsageException($"cannot read `{path}`: {reason}");
        }
    }
}
