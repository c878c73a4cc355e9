using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Authz.Grains;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>
/// Verifies <c>authorization: Bearer &lt;key-id&gt;.&lt;secret&gt;</c>. A successful verification is remembered briefly,
/// keyed by the key id and a SHA-256 digest of the secret, so PBKDF2 and the grain call run once per key and TTL, not
/// per call. Every failure (malformed, unknown key, wrong secret, inactive key) is reported the same way.
/// </summary>
/// <remarks>
/// Kestrel keeps a header's string while a connection sends the same bytes again, so most calls bring the very string
/// object a call before them brought. A verified string is recognized by reference, without a digest; the table holds
/// the strings weakly, so it keeps no secret alive that the connection does not.
/// </remarks>
public sealed class AccessKeyAuthenticator
{
    public const string MissingMessage = "missing credentials: send `authorization: Bearer <access-key-id>.<secret>`";
    public const string InvalidMessage = "invalid credentials";

    private const int MaxRemembered = 100_000;
    private const string Scheme = "Bearer ";

    // With authentication off, every call is the system administrator's.
    private static readonly CallerIdentity Unauthenticated = CallerIdentity.SystemAdministrator("");

    private readonly IGrainFactory _grains;
    private readonly BootstrapKeyStore _bootstrap;
    private readonly IOptions<SecurityOptions> _options;
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Verified>.AlternateLookup<ReadOnlySpan<char>> _verifiedBySpan;
    private readonly ConditionalWeakTable<string, Verified> _verifiedHeaders = new();
    private Verified? _administrator;

    public AccessKeyAuthenticator(IGrainFactory grains, BootstrapKeyStore bootstrap, IOptions<SecurityOptions> options)
    {
        _grains = grains;
        _bootstrap = bootstrap;
        _options = options;
        _verifiedBySpan = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Authenticates a call and puts its <see cref="CallerIdentity"/> into the call context, synchronously when the key
    /// was verified before. Without valid credentials the call ends with UNAUTHENTICATED and one message for every kind
    /// of failure, so it tells nothing about which keys exist.
    /// </summary>
    public ValueTask AuthenticateCallAsync(ServerCallContext context)
    {
        if (!_options.Value.Enabled)
        {
            Unauthenticated.AttachTo(context);
            return ValueTask.CompletedTask;
        }

        // Read from the HTTP request: ServerCallContext.RequestHeaders would copy every header into gRPC metadata on
        // each call. A second authorization header is not credentials either.
        var headers = context.GetHttpContext().Request.Headers.Authorization;
        if (headers.Count == 0 || string.IsNullOrEmpty(headers[0]))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, MissingMessage));
        }

        if (headers.Count != 1)
        {
            throw Invalid();
        }

        var caller = AuthenticateAsync(headers[0]);
        if (caller.IsCompletedSuccessfully)
        {
            (caller.Result ?? throw Invalid()).AttachTo(context);
            return ValueTask.CompletedTask;
        }

        return AttachAsync(caller, context);

        static async ValueTask AttachAsync(ValueTask<CallerIdentity?> pending, ServerCallContext context) =>
            ((await pending) ?? throw Invalid()).AttachTo(context);
    }

    /// <summary>The caller, or null when the credentials are missing or not valid.</summary>
    public ValueTask<CallerIdentity?> AuthenticateAsync(string? authorization)
    {
        if (authorization is null)
        {
            return ValueTask.FromResult<CallerIdentity?>(null);
        }

        if (_verifiedHeaders.TryGetValue(authorization, out var seen) && IsCurrent(seen))
        {
            return ValueTask.FromResult<CallerIdentity?>(seen.Caller);
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !AccessKeySecrets.TrySplit(authorization.AsSpan(Scheme.Length).Trim(), out var keyId, out var secret))
        {
            return ValueTask.FromResult<CallerIdentity?>(null);
        }

        Span<byte> digest = stackalloc byte[AccessKeySecrets.DigestBytes];
        AccessKeySecrets.Digest(secret, digest);
        if (keyId.SequenceEqual(_bootstrap.AccessKeyId))
        {
            return ValueTask.FromResult(_bootstrap.Matches(digest) ? Remember(authorization, Administrator()) : null);
        }

        if (!AccessKeySecrets.IsAccessKeyId(keyId))
        {
            return ValueTask.FromResult<CallerIdentity?>(null);
        }

        if (_verifiedBySpan.TryGetValue(keyId, out var remembered) && remembered.ExpiresAt > Environment.TickCount64
            && CryptographicOperations.FixedTimeEquals(remembered.Digest, digest))
        {
            return ValueTask.FromResult<CallerIdentity?>(Remember(authorization, remembered));
        }

        return new ValueTask<CallerIdentity?>(VerifyAsync(authorization, keyId.ToString(), secret.ToString(), digest.ToArray()));
    }

    /// <summary>Forgets a key's verification at once (it was deactivated or deleted).</summary>
    public void Forget(string accessKeyId) => _verified.TryRemove(accessKeyId, out _);

    private Verified Administrator() =>
        _administrator ??= new Verified([], CallerIdentity.SystemAdministrator(_bootstrap.AccessKeyId), long.MaxValue);

    /// <summary>
    /// Whether a remembered verification still holds: the administrator's always; any other only while it is its key's
    /// current, unexpired record, so that forgetting a key (or dropping every record at the bound) ends it at once.
    /// </summary>
    private bool IsCurrent(Verified verified) =>
        ReferenceEquals(verified, _administrator)
        || (verified.ExpiresAt > Environment.TickCount64
            && _verified.TryGetValue(verified.Caller.AccessKeyId, out var current) && ReferenceEquals(current, verified));

    private CallerIdentity Remember(string authorization, Verified verified)
    {
        _verifiedHeaders.AddOrUpdate(authorization, verified);
        return verified.Caller;
    }

    /// <summary>Checks the secret against the key's stored hash, and remembers a success.</summary>
    private async Task<CallerIdentity?> VerifyAsync(string authorization, string keyId, string secret, byte[] digest)
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

        var verified = new Verified(digest, caller, Environment.TickCount64 + (long)_options.Value.VerificationCacheTtl.TotalMilliseconds);
        _verified[keyId] = verified;
        return Remember(authorization, verified);
    }

    private static RpcException Invalid() => new(new Status(StatusCode.Unauthenticated, InvalidMessage));

    private sealed record Verified(byte[] Digest, CallerIdentity Caller, long ExpiresAt);
}
