using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Authz.V1;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// Prints contract messages. JSON is the message itself (proto field names, defaults included). Text is one
/// <c>field: value</c> line per field that is set, with the entity a response carries flattened into it, tags as
/// <c>key=value</c>, times in UTC, and policy documents as indented JSON (except in a write's response, which
/// shows what the server assigned rather than the document just sent).
/// </summary>
/// <example>
/// <code>
/// user_name: alice
/// arn: arn:aws:iam::111122223333:user/data-science/alice
/// tags: team=fraud, level=senior
/// revision: 3
/// </code>
/// </example>
public static class MessagePrinter
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithPreserveProtoFieldNames(true)
        .WithFormatDefaultValues(true)
        .WithIndentation());

    private static readonly JsonWriterOptions DocumentWriterOptions = new()
    {
        Indented = true,
        // Keep `${aws:PrincipalTag/team}`, quotes and `<` as written rather than as \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(IMessage message, TextWriter output, bool json)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        output.Write(json ? Formatter.Format(message) + Environment.NewLine : Text(message));
        output.Flush();
    }

    /// <summary>The text form of a response.</summary>
    public static string Text(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new StringBuilder();
        var fields = message.Descriptor.Fields.InFieldNumberOrder();
        // Top-level scalars win over same-named fields of the flattened entity (a tenant's revision vs the write's).
        var topLevel = fields.Where(f => f.FieldType != FieldType.Message && IsSet(f, message)).Select(f => f.Name).ToHashSet();
        // A write's response shows what the server assigned (ids, dates, the revision), not the document just sent.
        var isWrite = topLevel.Contains("revision");
        bool Shown(FieldDescriptor f) => !topLevel.Contains(f.Name) && !(isWrite && IsDocument(f));
        foreach (var field in fields)
        {
            if (field.Name == "next_page_token" || !IsSet(field, message))
                continue;
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.Message && !field.IsRepeated && value is IMessage entity && !IsWellKnown(entity))
                AppendFields(text, entity, 0, Shown);
            else
                AppendField(text, field, value, 0);
        }
        return text.ToString();
    }

    private static void AppendFields(StringBuilder text, IMessage message, int indent, Func<FieldDescriptor, bool>? shown = null)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (IsSet(field, message) && (shown?.Invoke(field) ?? true))
                AppendField(text, field, field.Accessor.GetValue(message), indent);
        }
    }

    private static void AppendField(StringBuilder text, FieldDescriptor field, object value, int indent)
    {
        var pad = new string(' ', indent);
        text.Append(pad).Append(field.Name).Append(':');
        switch (value)
        {
            case RepeatedField<Tag> tags:
                text.Append(' ').AppendLine(Tags(tags));
                break;
            case System.Collections.IList { Count: > 0 } list when list[0] is IMessage:
                text.AppendLine();
                foreach (IMessage item in list)
                    AppendListItem(text, item, indent + 2);
                break;
            case System.Collections.IList list:
                text.Append(' ').AppendLine(string.Join(", ", list.Cast<object>().Select(Scalar)));
                break;
            case string document when IsDocument(field):
                text.AppendLine();
                AppendDocument(text, document, indent + 2);
                break;
            case IMessage nested when !IsWellKnown(nested) && SingleScalar(nested) is { } only:
                text.Append(' ').AppendLine(only);
                break;
            case IMessage nested when !IsWellKnown(nested):
                text.AppendLine();
                AppendFields(text, nested, indent + 2);
                break;
            default:
                text.Append(' ').AppendLine(Scalar(value));
                break;
        }
    }

    // `- first_field: value` then the other fields aligned under it, as in YAML.
    private static void AppendListItem(StringBuilder text, IMessage item, int indent)
    {
        var itemText = new StringBuilder();
        AppendFields(itemText, item, indent + 2);
        var lines = itemText.ToString();
        if (lines.Length == 0)
        {
            text.Append(' ', indent).AppendLine("-");
            return;
        }
        text.Append(' ', indent).Append("- ").Append(lines.AsSpan(indent + 2));
    }

    private static void AppendDocument(StringBuilder text, string document, int indent)
    {
        string pretty;
        try
        {
            using var parsed = JsonDocument.Parse(document);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, DocumentWriterOptions))
                parsed.WriteTo(writer);
            pretty = Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            pretty = document;
        }
        foreach (var line in pretty.Split('\n'))
            text.Append(' ', indent).AppendLine(line.TrimEnd('\r'));
    }

    /// <summary>A single value as text: enum values without their prefix, times in UTC.</summary>
    public static string Scalar(object value) => value switch
    {
        Timestamp time => Time(time),
        System.Enum e => EnumName(e),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary><c>2025-06-01T09:30:00Z</c>; empty when unset.</summary>
    public static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>team=fraud, level=senior</c>.</summary>
    public static string Tags(IEnumerable<Tag> tags) => string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}"));

    /// <summary>An enum value's proto name without the enum's prefix: <c>POLICY_TYPE_IDENTITY</c> is <c>IDENTITY</c>.</summary>
    public static string EnumName(System.Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = value.GetType();
        var name = type.GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();
        var prefix = UpperSnake(type.Name) + "_";
        return name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length ? name[prefix.Length..] : name;
    }

    private static string UpperSnake(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
                text.Append('_');
            text.Append(char.ToUpperInvariant(pascal[i]));
        }
        return text.ToString();
    }

    // Strings and nested messages count when non-empty; numbers, booleans and enums always (0 and false inform too).
    private static bool IsSet(FieldDescriptor field, IMessage message)
    {
        var value = field.Accessor.GetValue(message);
        return value switch
        {
            null => false,
            string s => s.Length > 0,
            System.Collections.IList list => list.Count > 0,
            _ => true,
        };
    }

    private static bool IsDocument(FieldDescriptor field) => field.Name.EndsWith("document", StringComparison.Ordinal);

    private static bool IsWellKnown(IMessage message) => message is Timestamp or Duration;

    private static string? SingleScalar(IMessage message)
    {
        var set = message.Descriptor.Fields.InFieldNumberOrder().Where(f => IsSet(f, message)).ToList();
        return set is [{ FieldType: not FieldType.Message, IsRepeated: false } only]
            ? Scalar(only.Accessor.GetValue(message))
            : null;
    }
}
