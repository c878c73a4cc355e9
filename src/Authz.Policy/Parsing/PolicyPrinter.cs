using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Authz.Policy.Model;

namespace Authz.Policy.Parsing;

/// <summary>
/// Writes a parsed <see cref="PolicyDocument"/> back to JSON in a canonical form that keeps what the author wrote:
/// <c>Version</c>, <c>Id</c> and <c>Sid</c>, a single <c>Statement</c> object versus an array, single strings versus
/// arrays, the JSON type of each condition value (numbers keep their original text), and the order of condition
/// blocks and keys. Statement elements are written in a fixed order: <c>Sid</c>, <c>Effect</c>,
/// <c>Principal</c>/<c>NotPrincipal</c>, <c>Action</c>/<c>NotAction</c>, <c>Resource</c>/<c>NotResource</c>,
/// <c>Condition</c>. Parsing the output yields an equal document, and printing that document yields the same text.
/// </summary>
public static class PolicyPrinter
{
    // Relaxed escaping keeps ARNs, `+`, `&`, `<` and non-ASCII text readable; quotes, backslashes and control
    // characters are still escaped, so the output is valid JSON. A fixed "\n" keeps the text identical on every OS.
    private static readonly JsonWriterOptions IndentedOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions CompactOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Prints <paramref name="doc"/> as JSON, indented with two spaces unless <paramref name="indented"/> is false.</summary>
    /// <exception cref="ArgumentException">A condition value of kind <see cref="ConditionValueKind.Number"/> or
    /// <see cref="ConditionValueKind.Boolean"/> whose text is not a JSON number or <c>true</c>/<c>false</c>.</exception>
    public static string Print(PolicyDocument doc, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, indented ? IndentedOptions : CompactOptions))
            WriteDocument(writer, doc);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteDocument(Utf8JsonWriter writer, PolicyDocument doc)
    {
        writer.WriteStartObject();
        if (doc.Version is not null)
            writer.WriteString("Version", doc.Version);
        if (doc.Id is not null)
            writer.WriteString("Id", doc.Id);
        writer.WritePropertyName("Statement");
        // A document built in code may claim the object form with other than one statement; only an array can hold them.
        if (!doc.StatementIsArray && doc.Statements.Length == 1)
        {
            WriteStatement(writer, doc.Statements[0]);
        }
        else
        {
            writer.WriteStartArray();
            foreach (var statement in doc.Statements)
                WriteStatement(writer, statement);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteStatement(Utf8JsonWriter writer, PolicyStatement statement)
    {
        writer.WriteStartObject();
        if (statement.Sid is not null)
            writer.WriteString("Sid", statement.Sid);
        writer.WriteString("Effect", statement.Effect == Effect.Allow ? "Allow" : "Deny");
        if (statement.Principal is { } principal)
            WritePrincipal(writer, principal);
        WriteValueList(writer, statement.Action.Negated ? "NotAction" : "Action", statement.Action);
        if (statement.Resource is { } resource)
            WriteValueList(writer, resource.Negated ? "NotResource" : "Resource", resource);
        if (!statement.Conditions.IsDefaultOrEmpty)
            WriteConditions(writer, statement.Conditions);
        writer.WriteEndObject();
    }

    private static void WriteValueList(Utf8JsonWriter writer, string name, ValueList list)
    {
        writer.WritePropertyName(name);
        WriteStrings(writer, list.Values.Select(v => v.Value), list.Values.Length, list.IsArray);
    }

    private static void WritePrincipal(Utf8JsonWriter writer, PrincipalElement principal)
    {
        writer.WritePropertyName(principal.Negated ? "NotPrincipal" : "Principal");
        if (principal.IsWildcard)
        {
            writer.WriteStringValue("*");
            return;
        }
        writer.WriteStartObject();
        foreach (var entry in principal.Entries)
        {
            writer.WritePropertyName(entry.Type);
            WriteStrings(writer, entry.Values.Select(v => v.Value), entry.Values.Length, entry.IsArray);
        }
        writer.WriteEndObject();
    }

    private static void WriteConditions(Utf8JsonWriter writer, IEnumerable<ConditionBlock> blocks)
    {
        writer.WritePropertyName("Condition");
        writer.WriteStartObject();
        foreach (var block in blocks)
        {
            writer.WritePropertyName(block.Operator);
            writer.WriteStartObject();
            foreach (var clause in block.Clauses)
            {
                writer.WritePropertyName(clause.Key);
                var single = !clause.IsArray && clause.Values.Length == 1;
                if (!single)
                    writer.WriteStartArray();
                foreach (var value in clause.Values)
                    WriteConditionValue(writer, value);
                if (!single)
                    writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteConditionValue(Utf8JsonWriter writer, ConditionValue value)
    {
        switch (value.Kind)
        {
            case ConditionValueKind.Number:
                // The original text (`1.50`, `1e3`) is kept: a number's spelling is part of what the author wrote.
                // Writing the parsed token (rather than raw text) keeps the writer's indentation right.
                using (var number = ParseNumber(value.Text))
                    number.RootElement.WriteTo(writer);
                break;
            case ConditionValueKind.Boolean:
                writer.WriteBooleanValue(value.Text switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new ArgumentException($"condition value `{value.Text}` is marked as a boolean but is not `true` or `false`"),
                });
                break;
            default:
                writer.WriteStringValue(value.Text);
                break;
        }
    }

    /// <summary>Reads the text of a number condition value as a single JSON number token.</summary>
    private static JsonDocument ParseNumber(string text)
    {
        JsonDocument? number = null;
        if (text.Length > 0 && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[^1]))
        {
            try
            {
                number = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                number = null;
            }
        }
        if (number?.RootElement.ValueKind == JsonValueKind.Number)
            return number;
        number?.Dispose();
        throw new ArgumentException($"condition value `{text}` is marked as a number but is not a JSON number");
    }

    private static void WriteStrings(Utf8JsonWriter writer, IEnumerable<string> values, int count, bool isArray)
    {
        // The single-string form can only carry one value; anything else is written as an array.
        var single = !isArray && count == 1;
        if (!single)
            writer.WriteStartArray();
        foreach (var value in values)
            writer.WriteStringValue(value);
        if (!single)
            writer.WriteEndArray();
    }
}
