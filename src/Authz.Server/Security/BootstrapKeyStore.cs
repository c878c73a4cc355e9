using System.Security.Cryptography;
using Authz.Server.Options;
using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>
/// The system administrator's key: <c>Authz:Security:BootstrapKey</c>, or else <c>&lt;data dir&gt;/bootstrap.key</c>,
/// generated with mode 0600 on the first start. Only the key id and a digest of the secret are kept in memory; the path
/// of a generated file is logged, the key never is.
/// </summary>
public sealed class BootstrapKeyStore(IOptions<SecurityOptions> security, IOptions<AuthzServerOptions> server, ILogger<BootstrapKeyStore> logger)
{
    public const string FileName = "bootstrap.key";

    private readonly Lock _lock = new();
    // Set once, then read on every authenticated call without the lock.
    private volatile Key? _key;

    /// <summary>The bootstrap key's id.</summary>
    public string AccessKeyId => Load().KeyId;

    /// <summary>Whether a secret with this <see cref="AccessKeySecrets.Digest"/> is the bootstrap key's (constant-time).</summary>
    public bool Matches(ReadOnlySpan<byte> secretDigest) => CryptographicOperations.FixedTimeEquals(secretDigest, Load().Digest);

    /// <summary>Reads (or, on the first start, creates) the key. Called at start, so a bad key stops the start.</summary>
    public (string KeyId, byte[] Digest) Load()
    {
        var key = _key;
        if (key is null)
        {
            lock (_lock)
            {
                key = _key ??= Read();
            }
        }

        return (key.KeyId, key.Digest);
    }

    private sealed record Key(string KeyId, byte[] Digest);

    private Key Read()
    {
        var configured = security.Value.BootstrapKey;
        string token;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            token = configured.Trim();
        }
        else
        {
            var directory = server.Value.DataDirectory;
            var path = Path.GetFullPath(Path.Combine(directory, FileName));
            if (File.Exists(path))
            {
                token = File.ReadAllText(path).Trim();
                SecurityLog.BootstrapKeyRead(logger, path);
            }
            else
            {
                Directory.CreateDirectory(directory);
                token = AccessKeySecrets.NewAccessKeyId() + "." + AccessKeySecrets.NewSecret();
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var writer = new StreamWriter(path, options))
                {
                    writer.Write(token);
                }

                SecurityLog.BootstrapKeyCreated(logger, path);
            }
        }

        if (!AccessKeySecrets.TrySplit(token, out var keyId, out var secret) || secret.Length < 16)
        {
            throw new OptionsValidationException(SecurityOptions.SectionName, typeof(SecurityOptions),
                ["Authz:Security:BootstrapKey must be `<access-key-id>.<secret>` with a secret of at least 16 characters"]);
        }

        var digest = new byte[AccessKeySecrets.DigestBytes];
        AccessKeySecrets.Digest(secret, digest);
        return new Key(keyId.ToString(), digest);
    }
}
