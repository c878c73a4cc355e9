using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Authz.Policy.Model;
using Authz.Policy.Validation;

namespace Authz.Cli.Commands;

/// <summary>
/// <c>authz validate FILE... [--type T] [--format text|json]</c>: parses, compiles and checks policy documents and
/// prints one finding per line. Exit code 0 when there is no error, 1 when any finding is an error, 2 when a file
/// cannot be read.
/// </summary>
public static class ValidateCommand
{
    /// <summary>How findings are printed.</summary>
    public enum OutputFormat
    {
        /// <summary><c>FILE:LINE:COLUMN: SEVERITY CODE path: message</c>, one line per finding.</summary>
        Text,
        /// <summary>One JSON array of finding objects.</summary>
        Json,
    }

    /// <summary>The <c>--type</c> names, in the order help lists them.</summary>
    public static IReadOnlyDictionary<string, PolicyType> TypeNames { get; } = new Dictionary<string, PolicyType>(StringComparer.Ordinal)
    {
        ["identity"] = PolicyType.Identity,
        ["resource"] = PolicyType.Resource,
        ["trust"] = PolicyType.Trust,
        ["boundary"] = PolicyType.PermissionsBoundary,
        ["guardrail"] = PolicyType.Guardrail,
        ["resource-guardrail"] = PolicyType.ResourceGuardrail,
        ["session"] = PolicyType.Session,
    };

    /// <summary>Builds the <c>validate</c> command for the root command.</summary>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Policy documents (JSON) to validate",
            Arity = ArgumentArity.OneOrMore,
        };
        var type = new Option<string>("--type")
        {
            Description = "The role the documents play, which decides what is valid in them",
            DefaultValueFactory = _ => "identity",
        };
        type.AcceptOnlyFromAmong([.. TypeNames.Keys]);
        var format = new Option<string>("--format")
        {
            Description = "text: one FILE:LINE:COLUMN line per finding; json: an array of findings",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("validate", "Check policy documents for errors, security warnings, warnings and suggestions")
        {
            files, type, format,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files)!,
            TypeNames[parse.GetValue(type)!],
            parse.GetValue(format) == "json" ? OutputFormat.Json : OutputFormat.Text,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Validates every file and prints the findings; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> files, PolicyType type, OutputFormat format, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var findings = new List<(string File, Diagnostic Diagnostic)>();
        var unreadable = false;
        foreach (var file in files)
        {
            if (Read(file, error) is not { } bytes)
            {
                unreadable = true;
                continue;
            }
            foreach (var diagnostic in PolicyValidator.Validate(bytes, type))
                findings.Add((file, diagnostic));
        }

        if (format == OutputFormat.Json)
            WriteJson(findings, output);
        else
            WriteText(findings, output);
        output.Flush();

        if (unreadable)
            return 2;
        return findings.Any(f => f.Diagnostic.Severity == Severity.Error) ? 1 : 0;
    }

    private static byte[]? Read(string file, TextWriter error)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied or not a file",
                _ => "the file cannot be read",
            };
            error.WriteLine($"error: cannot read `{file}`: {reason}");
            return null;
        }
    }

    /// <summary>The severity as printed: <c>ERROR</c>, <c>SECURITY_WARNING</c>, <c>WARNING</c>, <c>SUGGESTION</c>.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Error => "ERROR",
        Severity.SecurityWarning => "SECURITY_WARNING",
        Severity.Warning => "WARNING",
        _ => "SUGGESTION",
    };

    private static void WriteText(List<(string File, Diagnostic Diagnostic)> findings, TextWriter output)
    {
        var line = new StringBuilder();
        foreach (var (file, d) in findings)
        {
            line.Clear().Append(file).Append(':');
            if (d.Location.Line > 0)
                line.Append(d.Location.Line).Append(':').Append(d.Location.Column).Append(':');
            line.Append(' ').Append(SeverityName(d.Severity)).Append(' ').Append(d.Code).Append(' ');
            if (d.Location.Path.Length > 0)
                line.Append(d.Location.Path).Append(": ");
            line.Append(d.Message);
            output.WriteLine(line);
        }
    }

    private static void WriteJson(List<(string File, Diagnostic Diagnostic)> findings, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartArray();
            foreach (var (file, d) in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("file", file);
                writer.WriteNumber("line", d.Location.Line);
                writer.WriteNumber("column", d.Location.Column);
                writer.WriteString("severity", SeverityName(d.Severity));
                writer.WriteString("code", d.Code);
                writer.WriteString("path", d.Location.Path);
                writer.WriteString("message", d.Message);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
