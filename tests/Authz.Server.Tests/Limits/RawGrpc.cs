using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;

namespace Authz.Server.Tests.Limits;

/// <summary>
/// A unary gRPC call made by hand over HTTP/2, for what Grpc.Net.Client will not send: a <c>grpc-timeout</c> that has
/// run out by the time the server reads it (the client library fails such a call itself, without sending it).
/// </summary>
internal static class RawGrpc
{
    public static async Task<Status> CallAsync(Uri server, string method, IMessage request, string grpcTimeout, string apiKey = ServerHost.BootstrapKey)
    {
        var payload = request.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);

        using var client = new HttpClient();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("grpc-timeout", grpcTimeout);
        message.Headers.TryAddWithoutValidation("authorization", "Bearer " + apiKey);
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            // A trailers-only response carries the status in its headers.
            var code = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status")
                ?? throw new InvalidOperationException($"no grpc-status in a response with HTTP status {(int)response.StatusCode}");
            var detail = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
            return new Status((StatusCode)int.Parse(code, CultureInfo.InvariantCulture), Uri.UnescapeDataString(detail));
        }
        catch (HttpRequestException ex)
        {
            // The server reset the stream: what a gRPC client reports as CANCELLED.
            return new Status(StatusCode.Cancelled, ex.Message);
        }
    }

    private static string? Header(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.First() : null;
}
