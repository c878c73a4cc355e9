using Microsoft.Extensions.Options;

namespace Authz.Server.Security;

/// <summary>At every start: loads (or creates) the bootstrap key, or warns that authentication is disabled.</summary>
public sealed class SecurityStartup(IOptions<SecurityOptions> options, BootstrapKeyStore bootstrap, ILogger<SecurityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            bootstrap.Load();
        }
        else
        {
            SecurityLog.AuthenticationDisabled(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Log messages of authentication and authorization, event ids 6000-6099. Never a secret.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "Authentication is DISABLED (Authz:Security:Enabled=false): every caller acts as the system administrator")]
    public static partial void AuthenticationDisabled(ILogger logger);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "Generated the system administrator's bootstrap key in {Path} (mode 0600); keep it secret, and use it with `authz --api-key` or AUTHZ_API_KEY")]
    public static partial void BootstrapKeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Using the bootstrap key in {Path}")]
    public static partial void BootstrapKeyRead(ILogger logger, string path);
}
