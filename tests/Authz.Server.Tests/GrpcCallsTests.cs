using Authz.Server.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Authz.Server.Tests;

/// <summary>
/// What <see cref="GrpcCalls"/> does to a request after routing: a served method of a singleton service runs with the
/// root services and no scope; any other served method gets a scope as usual; a gRPC call to no method is UNIMPLEMENTED.
/// </summary>
public sealed class GrpcCallsTests : IDisposable
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private readonly ServiceProvider _root = new ServiceCollection()
        .AddSingleton<SingletonService>()
        .AddScoped<ScopedService>()
        .BuildServiceProvider();

    private readonly GrpcCalls _calls;

    public GrpcCallsTests() => _calls = new GrpcCalls(_root, [typeof(SingletonService)]);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_method_of_a_singleton_service_runs_with_the_root_services_which_no_call_can_replace()
    {
        var context = Call("/test.Singleton/Run", Endpoint<SingletonService>("test.Singleton", "Run"));

        Assert.True(await InvokeAsync(context));
        Assert.Same(_root, context.RequestServices);
        Assert.Throws<InvalidOperationException>(() => context.RequestServices = _root.CreateScope().ServiceProvider);
    }

    [Fact]
    public async Task A_method_of_any_other_service_gets_a_scope_of_its_own()
    {
        var context = Call("/test.Scoped/Run", Endpoint<ScopedService>("test.Scoped", "Run"));

        Assert.True(await InvokeAsync(context));
        Assert.NotSame(_root, context.RequestServices);
        Assert.NotNull(context.RequestServices.GetService<ScopedService>());
    }

    [Theory]
    [InlineData("/test.Nothing/Run", null)]
    [InlineData("/test.singleton/run", "test.Singleton")] // routed only because the router ignores case
    public async Task A_grpc_call_to_no_method_is_answered_unimplemented_and_goes_no_further(string path, string? routedTo)
    {
        var context = Call(path, routedTo is null ? null : Endpoint<SingletonService>(routedTo, "Run"));

        Assert.False(await InvokeAsync(context));
        Assert.Equal((200, "application/grpc", "12"), (context.Response.StatusCode, context.Response.ContentType, context.Response.Headers["grpc-status"].ToString()));
        Assert.Contains($"`{path}`", context.Response.Headers["grpc-message"].ToString(), StringComparison.Ordinal);
        Assert.NotSame(_root, context.RequestServices);
    }

    [Theory]
    [InlineData("GET", "application/grpc")]
    [InlineData("POST", "application/json")]
    [InlineData("POST", null)]
    public async Task A_request_that_is_not_a_grpc_call_passes_on_untouched(string method, string? contentType)
    {
        var context = Call("/metrics", endpoint: null, method, contentType);

        Assert.True(await InvokeAsync(context));
        Assert.False(context.Response.Headers.ContainsKey("grpc-status"));
    }

    private async Task<bool> InvokeAsync(HttpContext context)
    {
        var passed = false;
        await _calls.Invoke(context, _ =>
        {
            passed = true;
            return Task.CompletedTask;
        });
        return passed;
    }

    private DefaultHttpContext Call(string path, Endpoint? endpoint, string method = "POST", string? contentType = "application/grpc")
    {
        var context = new DefaultHttpContext { ServiceScopeFactory = _root.GetRequiredService<IServiceScopeFactory>() };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = contentType;
        context.SetEndpoint(endpoint);
        return context;
    }

    private static Endpoint Endpoint<TService>(string service, string name) =>
        new(_ => Task.CompletedTask, new EndpointMetadataCollection(
            new GrpcMethodMetadata(typeof(TService), new Method<byte[], byte[]>(MethodType.Unary, service, name, Bytes, Bytes))), $"{service}/{name}");

    private sealed class SingletonService;

    private sealed class ScopedService;
}
