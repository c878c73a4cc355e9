using System.CommandLine;
using System.Text;
using System.Text.Json;
using Authz.Policy.Simulation;

namespace Authz.Cli.Commands;

/// <summary><c>authz simulate --cases FILE|-</c>: evaluates JSON Lines cases offline, one output line per case.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var cases = new Option<string>("--cases")
        {
            Description = "JSON Lines file of cases (the schema of the shared corpus README), or - for standard input",
            Required = true,
        };
        var explain = new Option<bool>("--explain") { Description = "Add determining statements and failed conditions to each line" };
        var command = new Command("simulate", "Evaluate self-contained cases with the policy engine, offline") { cases, explain };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(cases)!;
            using var input = path == "-" ? Console.In : OpenOrNull(path);
            if (input is null)
            {
                Console.Error.WriteLine($"error: cannot read `{path}`");
                return 2;
            }
            using var stdout = Console.OpenStandardOutput();
            Run(input, stdout, parse.GetValue(explain));
            return 0;
        });
        return command;
    }

    private static TextReader? OpenOrNull(string path)
    {
        try
        {
            return new StreamReader(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads every line of <paramref name="input"/> and writes one result line per non-blank line, in order.</summary>
    public static void Run(TextReader input, Stream output, bool explain = false)
    {
        using var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var outcome = Simulator.Run(line, explain);
            writer.Reset(buffered);
            Write(writer, outcome, explain);
            writer.Flush();
            buffered.WriteByte((byte)'\n');
        }
        buffered.Flush();
    }

    private static void Write(Utf8JsonWriter writer, SimulationOutcome outcome, bool explain)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("id");
        if (outcome.Id is { } id)
            id.WriteTo(writer);
        else
            writer.WriteNullValue();
        if (outcome.Decision is { } decision)
            writer.WriteString("decision", decision.ToString());
        else
            writer.WriteNull("decision");
        if (outcome.Error is { } error)
            writer.WriteString("error", error);
        else
            writer.WriteNull("error");
        if (explain && outcome.Result is { } result)
        {
            writer.WriteStartArray("determining");
            foreach (var d in result.Determining)
            {
                writer.WriteStartObject();
                writer.WriteString("policy", d.PolicyId);
                writer.WriteNumber("statement", d.StatementIndex);
                if (d.Sid is not null) writer.WriteString("sid", d.Sid);
                writer.WriteString("type", d.PolicyType.ToString());
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("failedConditions");
            foreach (var f in result.FailedConditions)
            {
                writer.WriteStartObject();
                writer.WriteString("policy", f.Statement.PolicyId);
                writer.WriteNumber("statement", f.Statement.StatementIndex);
                writer.WriteString("operator", f.Operator);
                writer.WriteString("key", f.Key);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (result.Reason is not null)
                writer.WriteString("reason", result.Reason);
        }
        writer.WriteEndObject();
    }
}
