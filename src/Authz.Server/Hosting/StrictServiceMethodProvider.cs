using System.Reflection;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Authz.V1;
using Grpc.Core;

namespace Authz.Server.Hosting;

/// <summary>
/// Binds every mapped gRPC service as grpc-dotnet's own provider does (through the generated <c>BindService</c>), with
/// two differences:
/// <list type="bullet">
/// <item>A request the protobuf parser refuses (malformed bytes, invalid UTF-8 in a string) ends with INVALID_ARGUMENT
/// and the parser's reason. grpc-dotnet reads the request before interceptors and services run, and otherwise answers
/// such input UNKNOWN "Exception was thrown by handler." and logs it as a server error. <see cref="AuthorizeRequest"/>,
/// read once per check, is read by <see cref="AuthorizeRequestReader"/> into strings the silo has decoded before, with
/// the same accepted inputs as the generated parser.</item>
/// <item>Each method of a service marked <see cref="BehindAdmissionAttribute"/> runs after <see cref="CallAdmission"/>
/// has admitted the call; a streaming one is refused.</item>
/// </list>
/// </summary>
internal sealed class StrictServiceMethodProvider<TService>(IServiceProvider services) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var attribute = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true);
        if (attribute is null)
        {
            return;
        }

        var admission = typeof(TService).IsDefined(typeof(BehindAdmissionAttribute), inherit: false)
            ? services.GetRequiredService<CallAdmission>()
            : null;
        var bind = attribute.BindType
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == attribute.BindMethodName && m.GetParameters() is [{ ParameterType: var binder }, _] && binder == typeof(ServiceBinderBase));
        bind.Invoke(null, [new Binder(context, admission), null]);
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, CallAdmission? admission) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var invoker = Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(method);
            context.AddUnaryMethod(Strict(method), Metadata(method), admission is null ? invoker : admission.Unary(invoker));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Strict(method), Metadata(method), admission is null
                ? Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method)
                : async (_, _, call) => { await admission.RefuseStreaming(call); return null!; });

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Strict(method), Metadata(method), admission is null
                ? Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method)
                : (_, _, _, call) => admission.RefuseStreaming(call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Strict(method), Metadata(method), admission is null
                ? Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method)
                : (_, _, _, call) => admission.RefuseStreaming(call));

        /// <summary>The service's implementation of the method, called on the instance grpc-dotnet activates per call.</summary>
        private static TDelegate Invoker<TDelegate>(IMethod method)
            where TDelegate : Delegate =>
            typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance) is { } implementation
                ? implementation.CreateDelegate<TDelegate>()
                : throw new InvalidOperationException($"`{typeof(TService).Name}` has no method `{method.Name}`");

        /// <summary>The attributes of the service and of the method, as grpc-dotnet gives its endpoints.</summary>
        private static List<object> Metadata(IMethod method) =>
        [
            .. typeof(TService).GetCustomAttributes(inherit: true),
            .. typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance)?.GetCustomAttributes(inherit: true) ?? [],
        ];

        private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
        {
            var deserialize = typeof(TRequest) == typeof(AuthorizeRequest)
                ? (Func<DeserializationContext, TRequest>)(object)CheckRequests.Read
                : method.RequestMarshaller.ContextualDeserializer;
            var marshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, payload =>
            {
                try
                {
                    return deserialize(payload);
                }
                catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException or DecoderFallbackException)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"the request is not a valid `{typeof(TRequest).Name}` message: {ex.Message}"));
                }
            });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
        }
    }
}

/// <summary>Reads the server's <see cref="AuthorizeRequest"/>s, one string table for the process.</summary>
internal static class CheckRequests
{
    /// <summary>16,384 slots (128 KiB of references), each the last ASCII string hashed to it.</summary>
    private static readonly Utf8StringTable Strings = new();

    public static AuthorizeRequest Read(DeserializationContext payload) =>
        AuthorizeRequestReader.Read(payload.PayloadAsReadOnlySequence(), Strings);
}
