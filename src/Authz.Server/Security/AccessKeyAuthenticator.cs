using System.Collections.Concurrent;
using System.Security.Cryptography;
using Authz.Grains;
using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>
/// Verifies <c>authorization: Bearer &lt;key-id&gt;.&lt;secret&gt;</c>. A successful verification is remembered briefly,
/// keyed by the key id and a SHA-256 digest of the secret, so PBKDF2 and the grain call run once per key and TTL, not
/// per call; a remembered key is verified without allocating. Every failure (malformed, unknown key, wrong secret,
/// inactive key) is reported the same way.
/// </summary>
public sealed class AccessKeyAuthenticator
{
    private const int MaxRemembered = 100_000;
    private const string Scheme = "Bearer ";

    private readonly IGrainFactory _grains;
    private readonly BootstrapKeyStore _bootstrap;
    private readonly IOptions<SecurityOptions> _options;
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Verified>.AlternateLookup<ReadOnlySpan<char>> _verifiedBySpan;
    private CallerIdentity? _administrator;

    public AccessKeyAuthenticator(IGrainFactory grains, BootstrapKeyStore bootstrap, IOptions<SecurityOptions> options)
    {
        _grains = grains;
        _bootstrap = bootstrap;
        _options = options;
        _verifiedBySpan = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The caller, or null when the credentials are missing or not valid.</summary>
    public ValueTask<CallerIdentity?> AuthenticateAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !AccessKeySecrets.TrySplit(authorization.AsSpan(Scheme.Length).Trim(), out var keyId, out var secret))
        {
            return ValueTask.FromResult<CallerIdentity?>(null);
        }

        Span<byte> digest = stackalloc byte[AccessKeySecrets.DigestBytes];
        AccessKeySecrets.Digest(secret, digest);
        if (keyId.SequenceEqual(_bootstrap.AccessKeyId))
        {
            return ValueTask.FromResult(_bootstrap.Matches(digest) ? Administrator() : null);
        }

        if (!AccessKeySecrets.IsAccessKeyId(keyId))
        {
            return ValueTask.FromResult<CallerIdentity?>(null);
        }

        if (_verifiedBySpan.TryGetValue(keyId, out var remembered) && remembered.ExpiresAt > Environment.TickCount64
            && CryptographicOperations.FixedTimeEquals(remembered.Digest, digest))
        {
            return ValueTask.FromResult<CallerIdentity?>(remembered.Caller);
        }

        return new ValueTask<CallerIdentity?>(VerifyAsync(keyId.ToString(), secret.ToString(), digest.ToArray()));
    }

    /// <summary>Forgets a key's verification at once (it was deactivated or deleted).</summary>
    public void Forget(string accessKeyId) => _verified.TryRemove(accessKeyId, out _);

    private CallerIdentity Administrator() =>
        _administrator ??= CallerIdentity.SystemAdministrator(_bootstrap.AccessKeyId);

    /// <summary>Checks the secret against the key's stored hash, and remembers a success.</summary>
    private async Task<CallerIdentity?> VerifyAsync(string keyId, string secret, byte[] digest)
    {
        var record = await _grains.GetAccessKey(keyId).Get();
        if (record is null || record.Status != AccessKeyStatus.Active
            || !AccessKeySecrets.Verify(secret, record.Salt, record.Hash, record.Iterations))
        {
            return null;
        }

        var caller = new CallerIdentity(record.TenantId, record.PrincipalArn, record.PrincipalId, keyId, IsSystemAdministrator: false);
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[keyId] = new Verified(digest, caller, Environment.TickCount64 + (long)_options.Value.VerificationCacheTtl.TotalMilliseconds);
        return caller;
    }

    private sealed record Verified(byte[] Digest, CallerIdentity Caller, long ExpiresAt);
}
