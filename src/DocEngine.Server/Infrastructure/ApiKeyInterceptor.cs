using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Authenticates every DocEngine call by API key and records the caller's tenant in the call context. Health and
/// reflection stay open, as load balancers and grpcurl expect. Keys are compared by SHA-256, so the lookup's timing
/// says nothing about a key's characters.
/// </summary>
public sealed class ApiKeyInterceptor : Interceptor
{
    private const string TenantKey = "docengine.tenant";
    private const string PublicKeysMethod = "/docengine.v1.ReceiptService/GetReceiptKeys";
    private readonly Dictionary<string, string> _tenantsByKeyHash;

    /// <summary>Builds the key table from configuration.</summary>
    public ApiKeyInterceptor(ServerOptions options)
    {
        // With none, every call is refused: said at start and in health (TenantKeysHealthCheck).
        _tenantsByKeyHash = options.ApiKeys
            .Where(k => !string.IsNullOrWhiteSpace(k.Key) && !string.IsNullOrWhiteSpace(k.Tenant))
            .ToDictionary(k => Hash(k.Key), k => k.Tenant, StringComparer.Ordinal);
    }

    /// <summary>The tenant the interceptor authenticated for this call.</summary>
    public static string TenantOf(ServerCallContext context) =>
        context.UserState.TryGetValue(TenantKey, out var tenant) ? (string)tenant : throw new InvalidOperationException("The call was not authenticated.");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (!context.Method.StartsWith("/docengine.", StringComparison.Ordinal) || context.Method == PublicKeysMethod)
        {
            return; // grpc.health.v1 and grpc.reflection are public, and so are the receipts' public keys: anyone may check a receipt
        }
        var key = KeyFrom(context.RequestHeaders);
        if (key is null)
        {
            throw new DocEngineException(ErrorKind.Unauthenticated, "API_KEY_MISSING",
                "This call needs your portal's API key: send it as 'authorization: Bearer KEY' or 'x-api-key: KEY'.");
        }
        if (!_tenantsByKeyHash.TryGetValue(Hash(key), out var tenant))
        {
            throw new DocEngineException(ErrorKind.Unauthenticated, "API_KEY_INVALID",
                "This API key is not valid here: check it for typos, or ask the operators for a current key.");
        }
        context.UserState[TenantKey] = tenant;
    }

    private static string? KeyFrom(Metadata headers)
    {
        var apiKey = headers.GetValue("x-api-key");
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            return apiKey.Trim();
        }
        var authorization = headers.GetValue("authorization");
        const string bearer = "Bearer ";
        return authorization is not null && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[bearer.Length..].Trim()
            : null;
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
