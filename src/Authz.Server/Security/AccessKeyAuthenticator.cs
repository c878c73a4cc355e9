using System.Collections.Concurrent;
using System.Security.Cryptography;
using Authz.Grains;
using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>
/// Verifies <c>authorization: Bearer &lt;key-id&gt;.&lt;secret&gt;</c>. A successful verification is remembered briefly,
/// keyed by the key id and a SHA-256 digest of the secret, so PBKDF2 and the grain call run once per key and TTL, not
/// per call. Every failure (malformed, unknown key, wrong secret, inactive key) is reported the same way.
/// </summary>
public sealed class AccessKeyAuthenticator(IGrainFactory grains, BootstrapKeyStore bootstrap, IOptions<SecurityOptions> options)
{
    private const int MaxRemembered = 100_000;
    private const string Scheme = "Bearer ";

    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    /// <summary>The caller, or null when the credentials are missing or not valid.</summary>
    public async ValueTask<CallerIdentity?> AuthenticateAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !AccessKeySecrets.TrySplit(authorization[Scheme.Length..].Trim(), out var keyId, out var secret))
        {
            return null;
        }

        if (keyId == bootstrap.AccessKeyId)
        {
            return bootstrap.Matches(secret) ? CallerIdentity.SystemAdministrator(keyId) : null;
        }

        if (!AccessKeySecrets.IsAccessKeyId(keyId))
        {
            return null;
        }

        var digest = AccessKeySecrets.Digest(secret);
        var now = Environment.TickCount64;
        if (_verified.TryGetValue(keyId, out var remembered) && remembered.ExpiresAt > now
            && CryptographicOperations.FixedTimeEquals(remembered.Digest, digest))
        {
            return remembered.Caller;
        }

        var record = await grains.GetAccessKey(keyId).Get();
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

        _verified[keyId] = new Verified(digest, caller, now + (long)options.Value.VerificationCacheTtl.TotalMilliseconds);
        return caller;
    }

    /// <summary>Forgets a key's verification at once (it was deactivated or deleted).</summary>
    public void Forget(string accessKeyId) => _verified.TryRemove(accessKeyId, out _);

    private sealed record Verified(byte[] Digest, CallerIdentity Caller, long ExpiresAt);
}
