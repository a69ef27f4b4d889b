using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocEngine.Server.Infrastructure;

/// <summary>An interceptor that lets a call through, or refuses it by throwing, before the service sees it (every call type alike).</summary>
public abstract class GateInterceptor : Interceptor
{
    /// <summary>Checks the call; throws a <see cref="DocEngineException"/> to refuse it.</summary>
    protected abstract ValueTask CheckAsync(ServerCallContext context);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>Whether the call is one of DocEngine's own (health and reflection stay open, as load balancers and grpcurl expect).</summary>
    protected static bool IsDocEngineCall(ServerCallContext context) => context.Method.StartsWith("/docengine.", StringComparison.Ordinal);
}
