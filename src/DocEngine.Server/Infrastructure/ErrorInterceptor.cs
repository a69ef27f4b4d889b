using DocEngine.Core.Storage;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// The one place errors become gRPC statuses: a <see cref="DocEngineException"/> becomes its status code with a
/// <c>google.rpc.Status</c> carrying an ErrorInfo (stable reason, facts), for a bad field a BadRequest, and for a rate
/// limit a RetryInfo (when to call again). Anything
/// unexpected is logged and answered with INTERNAL and a sentence, never a stack trace.
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    private const string Domain = "docengine.v1";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case DocEngineException refusal:
                if (refusal.Cause is { } cause)
                {
                    ServerLog.StoreFailed(logger, context.Method, refusal.Reason, cause); // the caller gets the sentence; the log keeps why
                }
                return ToRpcException(refusal);
            case OperationCanceledException or IOException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "The call was cancelled by the client."));
            case var full when Durability.IsDiskFull(full):
                return ToRpcException(new DocEngineException(ErrorKind.ResourceExhausted, "STORAGE_FULL",
                    "The server is out of storage space: retry later."));
            default:
                var reference = context.GetHttpContext().TraceIdentifier;
                ServerLog.Unexpected(logger, context.Method, reference, exception);
                return new Google.Rpc.Status
                {
                    Code = (int)Code.Internal,
                    Message = $"Something went wrong on the server: retry, and if it keeps failing give the operators reference {reference}.",
                    Details = { Any.Pack(new ErrorInfo { Domain = Domain, Reason = "INTERNAL", Metadata = { ["reference"] = reference } }) },
                }.ToRpcException();
        }
    }

    /// <summary>The status for a refusal; public so every path that refuses (including auth) reads the same.</summary>
    public static RpcException ToRpcException(DocEngineException refusal)
    {
        var info = new ErrorInfo { Domain = Domain, Reason = refusal.Reason };
        foreach (var (key, value) in refusal.Details)
        {
            info.Metadata[key] = value;
        }
        var status = new Google.Rpc.Status { Code = (int)CodeOf(refusal.Kind), Message = refusal.Message, Details = { Any.Pack(info) } };
        if (refusal.Field is not null && refusal.Kind is ErrorKind.InvalidArgument or ErrorKind.OutOfRange)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = refusal.Field, Description = refusal.Message } },
            }));
        }
        if (refusal.RetryAfter is { } retryAfter)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        }
        return status.ToRpcException();
    }

    private static Code CodeOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => Code.InvalidArgument,
        ErrorKind.FailedPrecondition => Code.FailedPrecondition,
        ErrorKind.ResourceExhausted => Code.ResourceExhausted,
        ErrorKind.OutOfRange => Code.OutOfRange,
        ErrorKind.NotFound => Code.NotFound,
        ErrorKind.AlreadyExists => Code.AlreadyExists,
        ErrorKind.Aborted => Code.Aborted,
        ErrorKind.DataLoss => Code.DataLoss,
        ErrorKind.Unauthenticated => Code.Unauthenticated,
        ErrorKind.PermissionDenied => Code.PermissionDenied,
        ErrorKind.Unavailable => Code.Unavailable,
        _ => Code.Internal,
    };
}
