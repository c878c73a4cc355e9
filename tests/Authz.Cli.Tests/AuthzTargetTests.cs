using Authz.Client;

namespace Authz.Cli.Tests;

public sealed class AuthzTargetTests
{
    [Theory]
    [InlineData("127.0.0.1:50051", "http://127.0.0.1:50051/", true)]
    [InlineData("localhost:8080", "http://localhost:8080/", true)]
    [InlineData("[::1]:50051", "http://[::1]:50051/", true)]
    [InlineData("http://authz.internal:443", "http://authz.internal:443/", false)]
    [InlineData("https://authz.internal:8443/", "https://authz.internal:8443/", false)]
    [InlineData("10.1.2.3:50051", "http://10.1.2.3:50051/", false)]
    public void Parses_targets(string text, string uri, bool loopback)
    {
        var target = AuthzTarget.Parse(text);
        Assert.Equal(uri, target.ToUri(tls: false).ToString());
        Assert.Equal(loopback, target.IsLoopback);
    }

    [Fact]
    public void Tls_applies_to_targets_without_a_scheme_only()
    {
        Assert.Equal("https", AuthzTarget.Parse("h:1").ToUri(tls: true).Scheme);
        Assert.Equal("http", AuthzTarget.Parse("http://h:1").ToUri(tls: true).Scheme);
    }

    [Theory]
    [InlineData("", "empty target")]
    [InlineData("localhost", "expected `host:port`")]
    [InlineData("localhost:0", "port must be")]
    [InlineData("localhost:99999", "port must be")]
    [InlineData("localhost:http", "port must be")]
    [InlineData("::1:50051", "brackets")]
    [InlineData("grpc://h:1", "only `http://`")]
    [InlineData("bad host:1", "not a host name")]
    public void Rejects_bad_targets_clearly(string text, string message)
    {
        Assert.False(AuthzTarget.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
