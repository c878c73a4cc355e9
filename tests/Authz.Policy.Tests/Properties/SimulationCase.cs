using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Tests.Properties;

/// <summary>The JSON type a request context value is written with.</summary>
public enum ScalarKind
{
    String,
    Number,
    Boolean,
}

/// <summary>One request context value as written in a case (a number keeps its JSON text).</summary>
public readonly record struct ContextScalar(string Text, ScalarKind Kind)
{
    public static ContextScalar Str(string text) => new(text, ScalarKind.String);
    public static ContextScalar Num(string text) => new(text, ScalarKind.Number);
    public static ContextScalar Bool(bool value) => new(value ? "true" : "false", ScalarKind.Boolean);
}

/// <summary>How a context key's value is written: JSON null, a single scalar, or an array.</summary>
public enum ContextShape
{
    Null,
    Scalar,
    Array,
}

/// <summary>One request context key with its values.</summary>
public sealed record ContextEntry(string Key, ContextShape Shape, ImmutableArray<ContextScalar> Values)
{
    public static ContextEntry Scalar(string key, ContextScalar value) => new(key, ContextShape.Scalar, [value]);
    public static ContextEntry Array(string key, params ContextScalar[] values) => new(key, ContextShape.Array, [.. values]);
}

/// <summary>
/// A self-contained simulation case in the schema `authz simulate` reads (the shared corpus README): a request and
/// every policy that governs it, as parsed documents. <see cref="ToJsonLine"/> renders the exact line the engine is
/// given, and <see cref="ToString"/> returns it, so a counterexample printed by FsCheck can be replayed with
/// <c>authz simulate --cases -</c>.
/// </summary>
public sealed record SimulationCase(
    string Principal,
    string Action,
    string Resource,
    string? ResourceAccount,
    ImmutableArray<ContextEntry> Context,
    ImmutableArray<PolicyDocument> IdentityPolicies,
    PolicyDocument? ResourcePolicy,
    ImmutableArray<PolicyDocument>? PermissionBoundaries,
    ImmutableArray<ImmutableArray<PolicyDocument>>? Scps,
    ImmutableArray<ImmutableArray<PolicyDocument>>? Rcps,
    PolicyDocument? SessionPolicy)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The case as one JSON line; <paramref name="id"/> is written as the case's <c>id</c> when given.</summary>
    public string ToJsonLine(string? id = null)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            if (id is not null)
                w.WriteString("id", id);
            w.WriteString("principal", Principal);
            w.WriteString("action", Action);
            w.WriteString("resource", Resource);
            if (ResourceAccount is not null)
                w.WriteString("resourceAccount", ResourceAccount);
            w.WriteStartObject("context");
            foreach (var entry in Context)
            {
                w.WritePropertyName(entry.Key);
                switch (entry.Shape)
                {
                    case ContextShape.Null:
                        w.WriteNullValue();
                        break;
                    case ContextShape.Scalar:
                        WriteScalar(w, entry.Values[0]);
                        break;
                    default:
                        w.WriteStartArray();
                        foreach (var v in entry.Values)
                            WriteScalar(w, v);
                        w.WriteEndArray();
                        break;
                }
            }
            w.WriteEndObject();
            w.WriteStartArray("identityPolicies");
            foreach (var doc in IdentityPolicies)
                WriteDocument(w, doc);
            w.WriteEndArray();
            w.WritePropertyName("resourcePolicy");
            WriteDocument(w, ResourcePolicy);
            w.WritePropertyName("permissionBoundaries");
            WriteDocuments(w, PermissionBoundaries);
            w.WritePropertyName("scps");
            WriteLevels(w, Scps);
            w.WritePropertyName("rcps");
            WriteLevels(w, Rcps);
            w.WritePropertyName("sessionPolicy");
            WriteDocument(w, SessionPolicy);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The replayable JSON line.</summary>
    public override string ToString() => ToJsonLine();

    private static void WriteScalar(Utf8JsonWriter w, ContextScalar value)
    {
        switch (value.Kind)
        {
            case ScalarKind.Number:
                w.WriteRawValue(value.Text);
                break;
            case ScalarKind.Boolean:
                w.WriteBooleanValue(bool.Parse(value.Text));
                break;
            default:
                w.WriteStringValue(value.Text);
                break;
        }
    }

    private static void WriteDocument(Utf8JsonWriter w, PolicyDocument? doc)
    {
        if (doc is null)
            w.WriteNullValue();
        else
            w.WriteRawValue(PolicyPrinter.Print(doc, indented: false));
    }

    private static void WriteDocuments(Utf8JsonWriter w, ImmutableArray<PolicyDocument>? docs)
    {
        if (docs is not { } list)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartArray();
        foreach (var doc in list)
            WriteDocument(w, doc);
        w.WriteEndArray();
    }

    private static void WriteLevels(Utf8JsonWriter w, ImmutableArray<ImmutableArray<PolicyDocument>>? levels)
    {
        if (levels is not { } list)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartArray();
        foreach (var level in list)
            WriteDocuments(w, level);
        w.WriteEndArray();
    }
}
