using System.Text;

namespace Authz.V1;

/// <summary>
/// A bounded table from UTF-8 bytes to the strings they decode to, so that a server reading the same ARNs, actions and
/// context keys call after call returns the string it decoded before instead of allocating another.
/// </summary>
/// <remarks>
/// Direct-mapped: each slot holds the last ASCII string of at most <see cref="MaxCachedBytes"/> bytes that hashed to it,
/// so the table never grows and a miss costs no more than decoding. The hash is seeded per process
/// (<see cref="HashCode"/>), so a caller cannot choose inputs that collide with another caller's. Thread-safe without
/// locks: a slot is one reference, read and written atomically. A slot's string is returned only for bytes equal to
/// it, so what a caller gets back is always its own input.
/// </remarks>
public sealed class Utf8StringTable
{
    /// <summary>Longer strings are decoded every time.</summary>
    public const int MaxCachedBytes = 256;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string?[] _slots;
    private readonly int _mask;

    /// <param name="slots">A power of two.</param>
    public Utf8StringTable(int slots = 16_384)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "the number of slots must be a power of two");
        }

        _slots = new string?[slots];
        _mask = slots - 1;
    }

    /// <summary>The string <paramref name="utf8"/> encodes; throws <see cref="DecoderFallbackException"/> for invalid UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedBytes)
        {
            return Strict.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref _slots[hash.ToHashCode() & _mask];
        var cached = slot;
        // Equal only when every byte is ASCII and matches a char: the bytes are then valid UTF-8 for that string.
        if (cached is not null && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var value = Strict.GetString(utf8);
        if (Ascii.IsValid(utf8))
        {
            slot = value;
        }

        return value;
    }
}
