using System.Globalization;
using System.Net.Http.Headers;
using Authz.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Authz.Server.Tests;

/// <summary>A real server of its own for the robustness tests, so that a crash here cannot hide behind other tests.</summary>
public sealed class RobustnessServer : IAsyncLifetime
{
    public ServerHost Host { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public string TenantId { get; } = Decisions.DecisionApiFixture.NewTenantId();

    public async Task InitializeAsync()
    {
        Host = await ServerHost.StartEmbeddedAsync();
        Channel = Host.CreateChannel();
        var admin = new Admin.AdminClient(Channel);
        await admin.CreateTenantAsync(new CreateTenantRequest { TenantId = TenantId, Name = "robustness" });
        await admin.CreateUserAsync(new CreateUserRequest { TenantId = TenantId, UserName = "alice" });
        await admin.PutUserPolicyAsync(new PutUserPolicyRequest { TenantId = TenantId, UserName = "alice", PolicyName = "read", PolicyDocument = Rpc.Allow("s3:GetObject") });
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>
/// Hostile bytes at the gRPC level, sent through a byte-array marshaller or as hand-built HTTP/2 requests: malformed
/// protobuf, invalid UTF-8 in strings, oversized and inflating messages, deeply nested JSON and a truncated frame. Each
/// gets an error status, never OK, nothing is written, and the server goes on answering on old and new connections.
/// </summary>
public sealed class GrpcRobustnessTests(RobustnessServer server) : IClassFixture<RobustnessServer>
{
    /// <summary>The start of the answer when the protobuf parser refuses a request (StrictServiceMethodProvider).</summary>
    private const string ParserRefusal = "the request is not a valid `";

    private const string GoodDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""";

    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF];

    private string Alice => $"arn:aws:iam::{server.TenantId}:user/alice";

    [Theory]
    [InlineData("0a05ab", "a length-delimited field longer than the message")]
    [InlineData("0f", "wire type 7")]
    [InlineData("00", "field number 0")]
    [InlineData("0b", "a group that never ends")]
    [InlineData("0c", "an end-group without a start")]
    [InlineData("088080808080808080808001", "a varint longer than 10 bytes")]
    [InlineData("0affffffffffffffffff01", "a length that overflows")]
    [InlineData("0a8080808008", "a length of 2 GiB, negative as an int")]
    public async Task Malformed_protobuf_is_refused_by_the_parser_and_the_server_keeps_serving(string hex, string what)
    {
        var error = await CallFails("authz.v1.Admin", "ValidatePolicy", Convert.FromHexString(hex));
        Assert.True(error.StatusCode == StatusCode.InvalidArgument && error.Status.Detail.StartsWith(ParserRefusal + "ValidatePolicyRequest", StringComparison.Ordinal), $"{what}: {error.Status}");
        await ServerStillServes();
    }

    [Theory]
    [InlineData("authz.v1.Nothing", "Authorize", "a service the server does not have")]
    [InlineData("authz.v1.Authorization", "Nothing", "a method its service does not have")]
    [InlineData("grpc.health.v1.Health", "Nothing", "a method the health service does not have")]
    [InlineData("authz.v1.authorization", "authorize", "a served method in the wrong case")]
    [InlineData("authz.v1.Authorization", "Authorize/extra", "a served method with more path after it")]
    [InlineData("Überall", "Nichts", "a path that is not ASCII")]
    public async Task A_call_to_a_method_the_server_does_not_serve_is_UNIMPLEMENTED_and_names_it(string service, string method, string what)
    {
        var error = await CallFails(service, method, []);
        Assert.True(error.StatusCode == StatusCode.Unimplemented && error.Status.Detail.Contains($"`/{service}/{method}`", StringComparison.Ordinal),
            $"{what}: {error.Status}");
        await ServerStillServes();
    }

    [Fact]
    public async Task A_malformed_context_map_entry_of_Authorize_is_refused_by_the_parser()
    {
        // Field 5 (context) holds a map entry whose value message claims 16 bytes and has 2.
        var error = await CallFails("authz.v1.Authorization", "Authorize", Convert.FromHexString("2a060a016b12100a00"));
        Assert.True(error.StatusCode == StatusCode.InvalidArgument && error.Status.Detail.StartsWith(ParserRefusal, StringComparison.Ordinal), error.Status.ToString());
        await ServerStillServes();
    }

    [Theory]
    [InlineData("PutUserPolicy policy_document")]
    [InlineData("Authorize principal")]
    [InlineData("Authorize context value")]
    public async Task Invalid_UTF8_in_a_string_field_is_refused_by_the_parser_and_changes_nothing(string where)
    {
        var (method, payload) = where switch
        {
            "PutUserPolicy policy_document" => ("PutUserPolicy", Concat(Text(1, server.TenantId), Text(2, "alice"), Text(3, "utf8"),
                Field(4, [.. "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get"u8, .. InvalidUtf8, .. "\",\"Resource\":\"*\"}]}"u8]))),
            "Authorize principal" => ("Authorize", Concat(Text(1, server.TenantId), Field(2, [.. System.Text.Encoding.UTF8.GetBytes(Alice[..^2]), .. InvalidUtf8]),
                Text(3, "s3:GetObject"), Text(4, "*"))),
            _ => ("Authorize", Concat(new AuthorizeRequest { TenantId = server.TenantId, Principal = Alice, Action = "s3:GetObject", Resource = "*" }.ToByteArray(),
                Field(5, Concat(Text(1, "app:key"), Field(2, Field(1, InvalidUtf8)))))),
        };
        var service = method == "Authorize" ? "authz.v1.Authorization" : "authz.v1.Admin";
        var error = await CallFails(service, method, payload);
        Assert.True(error.StatusCode == StatusCode.InvalidArgument && error.Status.Detail.StartsWith(ParserRefusal, StringComparison.Ordinal), error.Status.ToString());

        var policies = await new Admin.AdminClient(server.Channel).ListUserPoliciesAsync(new ListUserPoliciesRequest { TenantId = server.TenantId, UserName = "alice" });
        Assert.Equal(["read"], policies.PolicyNames);
        await ServerStillServes();
    }

    [Fact]
    public async Task A_message_over_the_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        var document = new string(' ', new Authz.Grains.AuthzLimitsOptions().MaxRequestBytes) + GoodDocument;
        var error = await CallFails("authz.v1.Admin", "ValidatePolicy", new ValidatePolicyRequest { PolicyDocument = document, PolicyType = PolicyType.Identity }.ToByteArray());
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        await ServerStillServes();
    }

    [Fact]
    public async Task A_compressed_message_that_inflates_past_the_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        // 64 MiB of request compress to about 64 KiB: within the limit on the wire, 16 times over it inflated.
        var inflated = new ValidatePolicyRequest { PolicyDocument = new string(' ', 64 * 1024 * 1024), PolicyType = PolicyType.Identity }.ToByteArray();
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(inflated);
        }

        var (status, _) = await SendFrameAsync("/authz.v1.Admin/ValidatePolicy", [1, .. Length(compressed.Length), .. compressed.ToArray()], "gzip");
        Assert.Equal(StatusCode.ResourceExhausted, status);
        await ServerStillServes();
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(900)] // within the size quota of a user's inline policy, so the depth check itself refuses it
    public async Task Deeply_nested_JSON_is_refused_by_PutUserPolicy_and_found_invalid_by_ValidatePolicy(int depth)
    {
        var document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Sid":""" +
            new string('[', depth) + new string(']', depth) + "}]}";
        var admin = new Admin.AdminClient(server.Channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => admin.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            TenantId = server.TenantId, UserName = "alice", PolicyName = "deep", PolicyDocument = document,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(depth > 1000 ? "characters" : "nesting exceeds the maximum depth", refused.Status.Detail, StringComparison.Ordinal);

        // ValidatePolicy's answer to a bad document is a finding, as AWS's ValidatePolicy answers.
        var validated = await admin.ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = document, PolicyType = PolicyType.Identity });
        Assert.False(validated.Valid);
        Assert.Contains(validated.Findings, f => f.Severity == FindingSeverity.Error);
        await ServerStillServes();
    }

    [Fact]
    public async Task A_truncated_gRPC_frame_is_INTERNAL_incomplete_message()
    {
        // The frame header promises 100 bytes; the stream ends after 7.
        var (status, message) = await SendFrameAsync("/authz.v1.Admin/ValidatePolicy", [0, .. Length(100), .. Text(1, "hello")]);
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Incomplete message.", message);
        await ServerStillServes();
    }

    private async Task<RpcException> CallFails(string service, string method, byte[] payload)
    {
        var raw = Marshallers.Create(bytes => bytes, bytes => bytes);
        var call = server.Channel.CreateCallInvoker().AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, method, raw, raw), null,
            new CallOptions(deadline: DateTime.UtcNow.AddMinutes(1)), payload); // a hang fails the test instead of stalling the run
        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
    }

    /// <summary>Sends <paramref name="body"/> as the whole request body of an h2c gRPC call, and returns the status it ends with.</summary>
    private async Task<(StatusCode? Status, string? Message)> SendFrameAsync(string path, byte[] body, string? encoding = null)
    {
        using var http = new HttpClient { BaseAddress = server.Host.GrpcAddress };
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (encoding is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", encoding);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerHost.BootstrapKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode); // gRPC errors travel in trailers, never as an HTTP 500
        await response.Content.ReadAsByteArrayAsync();
        var status = Header(response, "grpc-status");
        return (status is null ? null : (StatusCode)int.Parse(status, CultureInfo.InvariantCulture), Header(response, "grpc-message"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.First() : null;

    /// <summary>A normal call on the shared channel and an Authorize on a new connection both succeed.</summary>
    private async Task ServerStillServes()
    {
        var valid = await new Admin.AdminClient(server.Channel).ValidatePolicyAsync(new ValidatePolicyRequest { PolicyDocument = GoodDocument, PolicyType = PolicyType.Identity });
        Assert.True(valid.Valid);
        using var fresh = server.Host.CreateChannel();
        var answer = await new Authorization.AuthorizationClient(fresh).AuthorizeAsync(new AuthorizeRequest
        {
            TenantId = server.TenantId, Principal = Alice, Action = "s3:GetObject", Resource = "arn:aws:s3:::b/k",
        });
        Assert.Equal(Decision.Allow, answer.Decision);
    }

    private static byte[] Length(long length) => [(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];

    private static byte[] Text(int number, string value) => Field(number, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field holding <paramref name="value"/> as it is, valid UTF-8 or not.</summary>
    private static byte[] Field(int number, byte[] value)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
