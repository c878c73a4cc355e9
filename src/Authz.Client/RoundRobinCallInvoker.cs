using Grpc.Core;

namespace Authz.Client;

/// <summary>
/// Sends each call through the next of several invokers (one per connection and target), so that one stub spreads
/// its calls over a cluster and over several HTTP/2 connections.
/// </summary>
internal sealed class RoundRobinCallInvoker(IReadOnlyList<CallInvoker> invokers) : CallInvoker
{
    private readonly CallInvoker[] _invokers = invokers.Count > 0
        ? [.. invokers]
        : throw new ArgumentException("at least one invoker is required", nameof(invokers));
    private int _next = -1;

    private CallInvoker Next() =>
        _invokers.Length == 1 ? _invokers[0] : _invokers[(uint)Interlocked.Increment(ref _next) % (uint)_invokers.Length];

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next().BlockingUnaryCall(method, host, options, request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next().AsyncUnaryCall(method, host, options, request);

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next().AsyncServerStreamingCall(method, host, options, request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Next().AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Next().AsyncDuplexStreamingCall(method, host, options);
}
