using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Access;
using Grpc.Core;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Authenticates every DocEngine call and records its <see cref="Caller"/>. Two kinds of caller: a tenant (a portal back
/// end, an operator) with an API key or an OIDC bearer JWT from the configured issuer; and an applicant, with a
/// short-lived token minted by CreateAccessToken for one application. Health, reflection and the receipts' public keys stay open. API keys are
/// compared by SHA-256, so the lookup's timing says nothing about a key's characters.
/// </summary>
public sealed class AuthenticationInterceptor : GateInterceptor
{
    private const string PublicKeysMethod = "/docengine.v1.ReceiptService/GetReceiptKeys";
    private readonly Dictionary<string, (string Tenant, string Actor)> _keys;
    private readonly AccessTokens _tokens;
    private readonly OidcOptions _oidc;

    /// <summary>Builds the key table from configuration.</summary>
    public AuthenticationInterceptor(ServerOptions options, AccessTokens tokens)
    {
        // With no key and no OIDC issuer every call is refused: said at start and in health (TenantKeysHealthCheck).
        _tokens = tokens;
        _oidc = options.Oidc;
        _keys = options.ApiKeys
            .Where(k => !string.IsNullOrWhiteSpace(k.Key) && !string.IsNullOrWhiteSpace(k.Tenant))
            .ToDictionary(k => Hash(k.Key), k => (k.Tenant, "key:" + (k.Name.Length > 0 ? k.Name : "sha256:" + Hash(k.Key)[..12].ToLowerInvariant())),
                StringComparer.Ordinal);
    }

    protected override async ValueTask CheckAsync(ServerCallContext context)
    {
        if (!IsDocEngineCall(context) || context.Method == PublicKeysMethod)
        {
            return; // anyone may check a receipt, so its public keys need no credentials
        }
        try
        {
            Callers.Set(context, await AuthenticateAsync(context));
        }
        catch (DocEngineException refusal)
        {
            DocEngineMetrics.CallRefused(refusal.Reason);
            throw;
        }
    }

    private async Task<Caller> AuthenticateAsync(ServerCallContext context)
    {
        var apiKey = context.RequestHeaders.GetValue("x-api-key");
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            return FromApiKey(apiKey.Trim());
        }
        var authorization = context.RequestHeaders.GetValue("authorization");
        const string bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            throw new DocEngineException(ErrorKind.Unauthenticated, "API_KEY_MISSING",
                "This call needs credentials: send your portal's API key as 'authorization: Bearer KEY' or 'x-api-key: KEY', or an access token as 'authorization: Bearer TOKEN'.");
        }
        var credential = authorization[bearer.Length..].Trim();
        if (_keys.ContainsKey(Hash(credential)))
        {
            return FromApiKey(credential);
        }
        if (_tokens.IsApplicantToken(credential))
        {
            var grant = await _tokens.ValidateAsync(credential, context.CancellationToken);
            return new Caller(grant.Tenant, grant.Actor, grant);
        }
        if (_oidc.Enabled && credential.Count(c => c == '.') == 2)
        {
            var (tenant, subject) = await OidcBearer.AuthenticateAsync(context.GetHttpContext(), _oidc);
            return new Caller(tenant, "oidc:" + subject, null);
        }
        return FromApiKey(credential);
    }

    private Caller FromApiKey(string key) => _keys.TryGetValue(Hash(key), out var entry)
        ? new Caller(entry.Tenant, entry.Actor, null)
        : throw new DocEngineException(ErrorKind.Unauthenticated, "API_KEY_INVALID",
            "This API key is not valid here: check it for typos, or ask the operators for a current key.");

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
