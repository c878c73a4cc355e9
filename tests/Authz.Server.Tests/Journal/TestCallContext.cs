using Authz.Server.Security;
using Grpc.Core;

namespace Authz.Server.Tests.Journal;

/// <summary>A server call context of an authenticated call with an <c>x-request-id</c>, for code that reads one.</summary>
internal sealed class TestCallContext : ServerCallContext
{
    public TestCallContext(string requestId, string callerArn)
    {
        RequestHeadersCore = new Metadata { { "x-request-id", requestId } };
        // Where grpc-dotnet's GetHttpContext looks for a context that is not its own; the caller is a request feature.
        UserState["__HttpContext"] = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        new CallerIdentity(callerArn[13..25], callerArn, "AIDATEST", "AKIATEST", IsSystemAdministrator: false).AttachTo(this);
    }

    protected override string MethodCore => "/authz.v1.Authorization/Authorize";
    protected override string HostCore => "127.0.0.1";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; }
    protected override CancellationToken CancellationTokenCore => CancellationToken.None;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
