using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Authz.Policy.Model;

namespace Authz.Policy.Parsing;

/// <summary>JSON value kinds the policy grammar distinguishes.</summary>
internal enum JKind { Object, Array, String, Number, True, False, Null }

/// <summary>
/// A minimal JSON tree that remembers where each value was written. System.Text.Json's DOM keeps no positions
/// and silently accepts duplicate keys, and both matter for policy errors.
/// </summary>
internal sealed class JNode
{
    public required JKind Kind { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
    /// <summary>String value, or the literal text of a number.</summary>
    public string? Text { get; init; }
    public List<JNode>? Items { get; init; }
    public List<(string Key, JNode KeyNode, JNode Value)>? Members { get; init; }

    public string KindName => Kind switch
    {
        JKind.Object => "object",
        JKind.Array => "array",
        JKind.String => "string",
        JKind.Number => "number",
        JKind.True or JKind.False => "boolean",
        _ => "null",
    };
}

/// <summary>Raised for input that is not well-formed JSON; carries a Cedar-style message and a position.</summary>
internal sealed class JsonTreeException(string message, int line, int column, string path = "") : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
    /// <summary>The JSON path of the element the error is in, in the parser's convention (<c>statement[1].Condition</c>).</summary>
    public string Path { get; } = path;
}

/// <summary>Reads UTF-8 JSON into <see cref="JNode"/>s, rejecting duplicate keys, comments and invalid UTF-8.</summary>
internal static class JsonTree
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a .NET string as UTF-8, rejecting unpaired surrogates instead of replacing them.</summary>
    public static byte[] EncodeStrict(string text)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new JsonTreeException("document is not valid unicode: it contains an unpaired surrogate", 0, 0);
        }
    }

    public static JNode Parse(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // A UTF-8 byte order mark (EF BB BF) is allowed and skipped.
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            utf8 = utf8[3..];
        if (!Utf8.IsValid(utf8))
        {
            var bad = FirstInvalidUtf8(utf8);
            var (l, c) = Position(utf8, bad);
            throw new JsonTreeException("document is not valid UTF-8", l, c);
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            // Our own depth check gives the better message; the reader's limit is only a backstop.
            MaxDepth = maxDepth + 2,
        });
        var lines = new LineTable(utf8);
        try
        {
            if (!reader.Read())
                throw new JsonTreeException("document is empty", 1, 1);
            var root = ReadValue(ref reader, utf8, lines, 1, maxDepth, "");
            if (reader.Read())
            {
                var (l, c) = lines.At(utf8, (int)reader.TokenStartIndex);
                throw new JsonTreeException("unexpected content after the JSON document", l, c);
            }
            return root;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var col = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new JsonTreeException("malformed JSON: " + TrimJsonMessage(ex.Message), line, col);
        }
    }

    /// <summary>The path of a member: the policy grammar calls the statements <c>statement[i]</c>.</summary>
    private static string MemberPath(string parent, string key) =>
        parent.Length == 0 ? (key == "Statement" ? StatementList : key) : parent + "." + key;

    private static string ItemPath(string parent, int index) =>
        parent == StatementList ? $"statement[{index}]" : $"{parent}[{index}]";

    private const string StatementList = "Statement";

    private static JNode ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, LineTable lines, int depth, int maxDepth, string path)
    {
        var (line, col) = lines.At(utf8, (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                if (depth > maxDepth)
                    throw new JsonTreeException($"nesting exceeds the maximum depth of {maxDepth}", line, col, path);
                // A single statement object is statement[0].
                var objectPath = path == StatementList ? "statement[0]" : path;
                var members = new List<(string, JNode, JNode)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var (kl, kc) = lines.At(utf8, (int)reader.TokenStartIndex);
                    var key = ReadString(ref reader, kl, kc, objectPath);
                    var keyNode = new JNode { Kind = JKind.String, Line = kl, Column = kc, Text = key };
                    if (!seen.Add(key))
                        throw new JsonTreeException($"duplicate key `{key}`", kl, kc, objectPath);
                    reader.Read();
                    members.Add((key, keyNode, ReadValue(ref reader, utf8, lines, depth + 1, maxDepth, MemberPath(objectPath, key))));
                }
                return new JNode { Kind = JKind.Object, Line = line, Column = col, Members = members };
            }
            case JsonTokenType.StartArray:
            {
                if (depth > maxDepth)
                    throw new JsonTreeException($"nesting exceeds the maximum depth of {maxDepth}", line, col, path);
                var items = new List<JNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, utf8, lines, depth + 1, maxDepth, ItemPath(path, items.Count)));
                return new JNode { Kind = JKind.Array, Line = line, Column = col, Items = items };
            }
            case JsonTokenType.String:
                return new JNode { Kind = JKind.String, Line = line, Column = col, Text = ReadString(ref reader, line, col, path) };
            case JsonTokenType.Number:
                return new JNode { Kind = JKind.Number, Line = line, Column = col, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
                return new JNode { Kind = JKind.True, Line = line, Column = col, Text = "true" };
            case JsonTokenType.False:
                return new JNode { Kind = JKind.False, Line = line, Column = col, Text = "false" };
            case JsonTokenType.Null:
                return new JNode { Kind = JKind.Null, Line = line, Column = col };
            default:
                throw new JsonTreeException($"unexpected token {reader.TokenType}", line, col);
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, int line, int col, string path)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate such as "\ud800" is well-formed JSON but not text.
            throw new JsonTreeException("string contains an invalid unicode escape (an unpaired surrogate)", line, col, path);
        }
    }

    private static string TrimJsonMessage(string message)
    {
        // System.Text.Json appends " LineNumber: x | BytePositionInLine: y." which we report ourselves.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = cut >= 0 ? message[..cut] : message;
        text = text.TrimEnd('.', ' ');
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var i = 0;
        while (i < utf8.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(utf8[i..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
                return i;
            i += consumed;
        }
        return i;
    }

    private static (int Line, int Column) Position(ReadOnlySpan<byte> utf8, int offset) => new LineTable(utf8).At(utf8, offset);

    /// <summary>Byte offsets of line starts, so token offsets become 1-based line and character columns.</summary>
    private sealed class LineTable
    {
        private readonly List<int> _starts = [0];

        public LineTable(ReadOnlySpan<byte> utf8)
        {
            for (var i = 0; i < utf8.Length; i++)
                if (utf8[i] == (byte)'\n')
                    _starts.Add(i + 1);
        }

        // The previous answer: tokens are located in document order, so the next one usually continues the same line.
        private int _lastLine = -1, _lastOffset, _lastColumn;

        public (int Line, int Column) At(ReadOnlySpan<byte> utf8, int offset)
        {
            var idx = _starts.BinarySearch(offset);
            if (idx < 0)
                idx = ~idx - 1;
            var start = _starts[idx];
            var col = 1;
            // Count on from the previous token of the same line rather than from the line start: a minified document
            // is a single line, and recounting made locating its tokens quadratic.
            if (idx == _lastLine && offset >= _lastOffset)
                (start, col) = (_lastOffset, _lastColumn);
            // Columns count characters, not bytes: skip UTF-8 continuation bytes.
            for (var i = start; i < offset && i < utf8.Length; i++)
                if ((utf8[i] & 0xC0) != 0x80)
                    col++;
            (_lastLine, _lastOffset, _lastColumn) = (idx, offset, col);
            return (idx + 1, col);
        }
    }
}
