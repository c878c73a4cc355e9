using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Authz.Server.Security;

/// <summary>Access key ids, secrets and their salted PBKDF2-SHA256 hashes.</summary>
public static class AccessKeySecrets
{
    /// <summary>The system tenant: the bootstrap administrator lives here, and tenants are created from here.</summary>
    public const string SystemTenantId = "000000000000";

    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A new key id: <c>AKIA</c> and 16 random characters of <c>[A-Z2-7]</c>, as AWS spells them.</summary>
    public static string NewAccessKeyId() => "AKIA" + RandomNumberGenerator.GetString(Base32, 16);

    /// <summary>A new secret: 30 random bytes as 40 characters of base64url (no <c>.</c>, so the token splits unambiguously).</summary>
    public static string NewSecret() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(30));

    /// <summary>Whether <paramref name="accessKeyId"/> has the shape of a key id this server issues.</summary>
    public static bool IsAccessKeyId(ReadOnlySpan<char> accessKeyId) =>
        accessKeyId.Length == 20 && accessKeyId.StartsWith("AKIA", StringComparison.Ordinal) && accessKeyId[4..].IndexOfAnyExcept(Base32) < 0;

    /// <summary>Splits <c>&lt;key-id&gt;.&lt;secret&gt;</c> at its first dot, without copying.</summary>
    public static bool TrySplit(ReadOnlySpan<char> token, out ReadOnlySpan<char> accessKeyId, out ReadOnlySpan<char> secret)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || dot == token.Length - 1)
        {
            accessKeyId = secret = default;
            return false;
        }

        accessKeyId = token[..dot];
        secret = token[(dot + 1)..];
        return true;
    }

    /// <summary>A fresh salt and the hash of <paramref name="secret"/> under it.</summary>
    public static (ImmutableArray<byte> Salt, ImmutableArray<byte> Hash) Hash(string secret, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (ImmutableArray.Create(salt), ImmutableArray.Create(Derive(secret, salt, iterations)));
    }

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="hash"/>, compared in constant time.</summary>
    public static bool Verify(string secret, ImmutableArray<byte> salt, ImmutableArray<byte> hash, int iterations) =>
        !hash.IsDefaultOrEmpty && iterations > 0
        && CryptographicOperations.FixedTimeEquals(Derive(secret, salt.AsSpan(), iterations), hash.AsSpan());

    /// <summary>The length of <see cref="Digest"/>.</summary>
    public const int DigestBytes = SHA256.HashSizeInBytes;

    /// <summary>
    /// A fast digest of a secret into <paramref name="digest"/> (<see cref="DigestBytes"/> long), for the in-memory
    /// records of verified keys, which keep digests rather than secrets. Allocates nothing for secrets of a sane length.
    /// </summary>
    public static void Digest(ReadOnlySpan<char> secret, Span<byte> digest)
    {
        var max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        var written = Encoding.UTF8.GetBytes(secret, utf8);
        SHA256.HashData(utf8[..written], digest);
        CryptographicOperations.ZeroMemory(utf8[..written]);
    }

    private static byte[] Derive(string secret, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
