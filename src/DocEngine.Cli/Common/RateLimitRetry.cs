using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocEngine.Cli.Common;

/// <summary>
/// Backs off and calls again when the server refuses a call for its rate (RESOURCE_EXHAUSTED with a google.rpc.RetryInfo):
/// it waits at least the delay the server names (plus a random share that grows with each attempt, so many clients
/// refused together do not return in step), up to
/// <see cref="MaxRetries"/> times. Unary calls, and server-streaming calls refused before their first message; the upload
/// stream retries in the uploader. Any other refusal — a file too large, a full disk — is not retried.
/// </summary>
public sealed class RateLimitRetry : Interceptor
{
    /// <summary>How many times one call is retried.</summary>
    public const int MaxRetries = 8;

    /// <summary>
    /// How long to wait before attempt <paramref name="attempt"/> + 1 after a rate-limit refusal: at least what the server
    /// asks, plus a random share of it that doubles with each attempt (so callers refused together do not all return
    /// together), at most 30 s; null for any other failure.
    /// </summary>
    public static TimeSpan? DelayOf(RpcException e, int attempt = 1)
    {
        if (e.StatusCode != StatusCode.ResourceExhausted || e.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>() is not { RetryDelay: { } delay })
        {
            return null;
        }
        var asked = Math.Clamp(delay.ToTimeSpan().TotalMilliseconds, 10, 30_000);
        var spread = asked * Math.Pow(2, Math.Min(attempt, 6)) * Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(Math.Min(30_000, asked + spread));
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        var cancellationToken = context.Options.CancellationToken;
        async Task<TResponse> RespondAsync()
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await call.ResponseAsync.ConfigureAwait(false);
                }
                catch (RpcException e) when (attempt <= MaxRetries && DelayOf(e, attempt) is { } wait)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    call.Dispose();
                    call = continuation(request, context);
                }
            }
        }
        return new AsyncUnaryCall<TResponse>(RespondAsync(), _ => call.ResponseHeadersAsync, _ => call.GetStatus(), _ => call.GetTrailers(), _ => call.Dispose(), null!);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var reader = new RetryingReader<TResponse>(() => continuation(request, context), context.Options.CancellationToken);
        return new AsyncServerStreamingCall<TResponse>(reader, _ => reader.Call.ResponseHeadersAsync, _ => reader.Call.GetStatus(), _ => reader.Call.GetTrailers(),
            _ => reader.Call.Dispose(), null!);
    }

    /// <summary>A response stream that starts the call again when it is refused for its rate before its first message.</summary>
    private sealed class RetryingReader<T>(Func<AsyncServerStreamingCall<T>> start, CancellationToken callToken) : IAsyncStreamReader<T>
    {
        private bool _received;
        private int _attempt;

        public AsyncServerStreamingCall<T> Call { get; private set; } = start();

        public T Current => Call.ResponseStream.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    var more = await Call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
                    _received = true;
                    return more;
                }
                catch (RpcException e) when (!_received && ++_attempt <= MaxRetries && DelayOf(e, _attempt) is { } wait)
                {
                    await Task.Delay(wait, callToken.CanBeCanceled ? callToken : cancellationToken).ConfigureAwait(false);
                    Call.Dispose();
                    Call = start();
                }
            }
        }
    }
}
