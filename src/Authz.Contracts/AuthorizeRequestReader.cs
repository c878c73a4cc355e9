using System.Buffers;

namespace Authz.V1;

/// <summary>
/// Reads an <see cref="AuthorizeRequest"/> from its protobuf encoding as Google.Protobuf's parser does, with two
/// differences that matter on a server answering one per call: strings come from a <see cref="Utf8StringTable"/>, and the
/// context is read into <see cref="AuthorizeRequest.ContextPairs"/>, not into <see cref="AuthorizeRequest.Context"/>'s
/// dictionary and linked list. The request's <c>Context</c> map stays empty.
/// </summary>
/// <remarks>
/// It accepts and refuses the same inputs as the generated parser: unknown fields are skipped (not kept), a later
/// value of a field replaces an earlier one, a repeated map key replaces the earlier entry's values, and malformed
/// input (truncated, a bad varint, tag or wire type, an unmatched group) throws <see cref="InvalidDataException"/>;
/// invalid UTF-8 throws <see cref="System.Text.DecoderFallbackException"/>. The tests check this against the generated
/// parser on random and mutated messages.
/// </remarks>
public static class AuthorizeRequestReader
{
    // Wire types and the tags of the fields read (field number << 3 | wire type).
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;
    private const uint TenantTag = 10, PrincipalTag = 18, ActionTag = 26, ResourceTag = 34, ContextTag = 42,
        MinRevisionTag = 48, ExplainTag = 56;
    private const uint EntryKeyTag = 10, EntryValueTag = 18, ValuesTag = 10;

    /// <summary>Google.Protobuf's default nesting limit, which bounds groups of unknown fields the same way.</summary>
    private const int RecursionLimit = 100;

    public static AuthorizeRequest Read(ReadOnlySequence<byte> payload, Utf8StringTable strings)
    {
        if (payload.IsSingleSegment)
        {
            return Read(payload.FirstSpan, strings);
        }

        // A request split across buffers (larger than one of Kestrel's blocks) is copied once.
        var length = checked((int)payload.Length);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(copy);
            return Read(copy.AsSpan(0, length), strings);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public static AuthorizeRequest Read(ReadOnlySpan<byte> data, Utf8StringTable strings)
    {
        var request = new AuthorizeRequest();
        var reader = new WireReader(data);
        Pairs context = default;
        while (reader.TryReadTag(out var tag))
        {
            switch (tag)
            {
                case TenantTag: request.TenantId = strings.Get(reader.ReadBytes()); break;
                case PrincipalTag: request.Principal = strings.Get(reader.ReadBytes()); break;
                case ActionTag: request.Action = strings.Get(reader.ReadBytes()); break;
                case ResourceTag: request.Resource = strings.Get(reader.ReadBytes()); break;
                case ContextTag: ReadEntry(reader.ReadBytes(), strings, ref context); break;
                case MinRevisionTag: request.MinRevision = reader.ReadVarint(); break;
                case ExplainTag: request.Explain = reader.ReadVarint() != 0; break;
                default: reader.SkipField(tag, RecursionLimit); break;
            }
        }

        request.SetContextPairs(context.ToArray());
        return request;
    }

    /// <summary>One <c>map&lt;string, ContextValues&gt;</c> entry: key 1, value 2; a later key or value replaces an earlier one.</summary>
    private static void ReadEntry(ReadOnlySpan<byte> entry, Utf8StringTable strings, ref Pairs context)
    {
        var reader = new WireReader(entry);
        var key = string.Empty;
        string[] values = [];
        while (reader.TryReadTag(out var tag))
        {
            switch (tag)
            {
                case EntryKeyTag: key = strings.Get(reader.ReadBytes()); break;
                case EntryValueTag: values = ReadValues(reader.ReadBytes(), strings); break;
                // Google.Protobuf skips a map entry's unknown fields without keeping them, and there reads an invalid
                // wire type (6 or 7) as a field of no bytes.
                default: reader.SkipField(tag, RecursionLimit - 1, lenient: true); break;
            }
        }

        context.Set(key, values);
    }

    /// <summary><c>ContextValues</c>: <c>repeated string values = 1</c>.</summary>
    private static string[] ReadValues(ReadOnlySpan<byte> message, Utf8StringTable strings)
    {
        var reader = new WireReader(message);
        string[] values = [];
        var count = 0;
        while (reader.TryReadTag(out var tag))
        {
            if (tag != ValuesTag)
            {
                reader.SkipField(tag, RecursionLimit - 2);
                continue;
            }

            if (count == values.Length)
            {
                Array.Resize(ref values, Math.Max(1, count * 2));
            }

            values[count++] = strings.Get(reader.ReadBytes());
        }

        if (count != values.Length)
        {
            Array.Resize(ref values, count);
        }

        return values;
    }

    /// <summary>The context's pairs in first-seen key order, as the generated map keeps them.</summary>
    private struct Pairs
    {
        private KeyValuePair<string, string[]>[]? _items;
        private int _count;

        public void Set(string key, string[] values)
        {
            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_items![i].Key, key, StringComparison.Ordinal))
                {
                    _items[i] = new(key, values);
                    return;
                }
            }

            _items ??= new KeyValuePair<string, string[]>[1];
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _count * 2);
            }

            _items[_count++] = new(key, values);
        }

        public readonly KeyValuePair<string, string[]>[]? ToArray() =>
            _items is null ? null : _count == _items.Length ? _items : _items[.._count];
    }

    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        /// <summary>The next tag; false at the end. A tag is a 32-bit varint (longer ones keep their low 32 bits) and not field 0.</summary>
        public bool TryReadTag(out uint tag)
        {
            if (_position == _data.Length)
            {
                tag = 0;
                return false;
            }

            tag = (uint)ReadVarint();
            if (tag >> 3 == 0)
            {
                throw new InvalidDataException("the message holds an invalid tag (field number 0)");
            }

            return true;
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position == _data.Length)
                {
                    throw Truncated();
                }

                var b = _data[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw new InvalidDataException("the message holds a malformed varint");
        }

        /// <summary>A length-delimited field's bytes.</summary>
        public ReadOnlySpan<byte> ReadBytes()
        {
            var length = (int)ReadVarint();
            if (length < 0)
            {
                throw new InvalidDataException("the message holds a field with a negative length");
            }

            if (length > _data.Length - _position)
            {
                throw Truncated();
            }

            var bytes = _data.Slice(_position, length);
            _position += length;
            return bytes;
        }

        /// <summary>
        /// Skips the field whose tag was just read; a group is skipped up to its matching end tag. An invalid wire type is
        /// refused, or, when <paramref name="lenient"/>, skipped as a field of no bytes.
        /// </summary>
        public void SkipField(uint tag, int depth, bool lenient = false)
        {
            switch ((int)(tag & 7))
            {
                case Varint: ReadVarint(); break;
                case Fixed64: Skip(8); break;
                case LengthDelimited: ReadBytes(); break;
                case Fixed32: Skip(4); break;
                case StartGroup: SkipGroup(tag >> 3, depth - 1, lenient); break;
                case EndGroup: throw new InvalidDataException("the message holds an end-group tag without its start");
                case var _ when lenient: break;
                default: throw new InvalidDataException($"the message holds an invalid wire type {tag & 7}");
            }
        }

        private void SkipGroup(uint field, int depth, bool lenient)
        {
            if (depth < 0)
            {
                throw new InvalidDataException("the message nests groups too deeply");
            }

            while (TryReadTag(out var tag))
            {
                if ((tag & 7) == EndGroup)
                {
                    if (tag >> 3 != field)
                    {
                        throw new InvalidDataException("the message holds a group closed by another field's end tag");
                    }

                    return;
                }

                SkipField(tag, depth, lenient);
            }

            throw Truncated();
        }

        private void Skip(int count)
        {
            if (count > _data.Length - _position)
            {
                throw Truncated();
            }

            _position += count;
        }

        private static InvalidDataException Truncated() => new("the message is truncated");
    }
}
