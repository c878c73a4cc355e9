using Grpc.Core;

namespace Authz.Server.Security;

/// <summary>The request id that audit records and the decision log report for a call.</summary>
internal static class RequestIds
{
    /// <summary>The caller's <c>x-request-id</c> when it is a short printable token, else the server's trace identifier.</summary>
    public static string Of(ServerCallContext context)
    {
        var sent = context.RequestHeaders.GetValue("x-request-id");
        return sent is { Length: > 0 and <= 128 } && sent.All(c => c is > ' ' and < (char)127) ? sent : context.GetHttpContext().TraceIdentifier;
    }
}
