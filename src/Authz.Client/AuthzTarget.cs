using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Authz.Client;

/// <summary>
/// One server address: <c>host:port</c> (plain HTTP/2, or TLS when the client is configured for it), or an explicit
/// <c>http://host:port</c> (h2c) or <c>https://host:port</c> (TLS). IPv6 hosts go in brackets: <c>[::1]:50051</c>.
/// </summary>
public sealed record AuthzTarget(string Host, int Port, bool? Tls)
{
    /// <summary>The address as a URI, with the scheme the target names or, when it names none, the one <paramref name="tls"/> picks.</summary>
    public Uri ToUri(bool tls) => new($"{((Tls ?? tls) ? "https" : "http")}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Whether the host is this machine (a loopback address or <c>localhost</c>).</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <inheritdoc />
    public override string ToString() => Tls switch
    {
        true => $"https://{Host}:{Port}",
        false => $"http://{Host}:{Port}",
        null => $"{Host}:{Port}",
    };

    /// <summary>Parses a target; the error names what is wrong, with the input in backticks.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AuthzTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty target: expected `host:port`";
            return false;
        }
        var rest = text.Trim();
        bool? tls = null;
        if (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            tls = false;
            rest = rest["http://".Length..];
        }
        else if (rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            tls = true;
            rest = rest["https://".Length..];
        }
        else if (rest.Contains("://", StringComparison.Ordinal))
        {
            error = $"invalid target `{text}`: only `http://` (h2c) and `https://` (TLS) are supported";
            return false;
        }
        rest = rest.TrimEnd('/');

        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || (rest.StartsWith('[') && rest.LastIndexOf(']') > colon))
        {
            error = $"invalid target `{text}`: expected `host:port`";
            return false;
        }
        var host = rest[..colon];
        if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"invalid target `{text}`: the port must be a number from 1 to 65535";
            return false;
        }
        if (host.Contains(':', StringComparison.Ordinal) && !(host.StartsWith('[') && host.EndsWith(']')))
        {
            error = $"invalid target `{text}`: put an IPv6 address in brackets, as in `[::1]:{port}`";
            return false;
        }
        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            error = $"invalid target `{text}`: `{host}` is not a host name or IP address";
            return false;
        }
        target = new AuthzTarget(host, port, tls);
        error = null;
        return true;
    }

    /// <summary>Parses a target or throws <see cref="FormatException"/> with the same message as <see cref="TryParse"/>.</summary>
    public static AuthzTarget Parse(string text) =>
        TryParse(text, out var target, out var error) ? target : throw new FormatException(error);
}
