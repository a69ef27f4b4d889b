namespace DocEngine.Server;

/// <summary>Host settings bound from the <c>DocEngine</c> section, next to the core's own options.</summary>
public sealed class ServerOptions
{
    /// <summary>API keys, each bound to one tenant (portal). Empty refuses every call.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>Browser origins allowed to call over gRPC-Web; "*" allows any. Empty allows none (same-origin only).</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Benchmark support (section DocEngine:Bench).</summary>
    public BenchOptions Bench { get; set; } = new();

    /// <summary>The portal page served at "/" (section DocEngine:Portal); off by default, on in Development.</summary>
    public PortalOptions Portal { get; set; } = new();

    /// <summary>OAuth2/OIDC bearer JWTs accepted as tenant credentials (section DocEngine:Oidc); off unless an issuer is set.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Per-caller rate limits and the request-body rate (section DocEngine:Limits).</summary>
    public LimitOptions Limits { get; set; } = new();

    /// <summary>Refuses a cache bypass unless the server allows it: a bypass makes a request do full work, which only benchmarks need.</summary>
    public void RequireCacheBypassAllowed(bool requested)
    {
        if (requested && !Bench.AllowCacheBypass)
        {
            throw new Core.Common.DocEngineException(Core.Common.ErrorKind.FailedPrecondition, "CACHE_BYPASS_NOT_ALLOWED",
                "This server does not allow bypass_cache (DocEngine:Bench:AllowCacheBypass is off): leave it unset, or benchmark a server started in Development.")
            { Field = "bypass_cache" };
        }
    }
}

/// <summary>Benchmark support settings.</summary>
public sealed class BenchOptions
{
    /// <summary>Whether requests may set bypass_cache to do work even when the result is stored; off by default, on in Development.</summary>
    public bool AllowCacheBypass { get; set; }
}

/// <summary>The portal page: a static page calling this server over gRPC-Web (src/DocEngine.Portal).</summary>
public sealed class PortalOptions
{
    /// <summary>Whether "/" serves the page; false by default, true in Development.</summary>
    public bool Enabled { get; set; }

    /// <summary>The folder of built page files; empty for "portal" beside the server's binaries, where the build puts them.</summary>
    public string Root { get; set; } = "";

    /// <summary>
    /// An API key handed to every visitor of the page, so it can call without asking for one: Development only (it sets
    /// the development key); the server refuses to start with one in any other environment. Outside Development the
    /// page works with an applicant token: a <c>?token=</c> link, or <see cref="TokenUrl"/>.
    /// </summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// Where the page fetches an applicant token when its link carries none: the portal back end's endpoint that mints one
    /// for the signed-in applicant and answers <c>{"token": "…"}</c> (README, "Tokens for browsers"). Empty: links only.
    /// </summary>
    public string TokenUrl { get; set; } = "";

    /// <summary>Bytes per AppendUploadChunk call; 1 MiB by default, at most DocEngine:Uploads:MaxChunkBytes.</summary>
    public int ChunkBytes { get; set; } = 1 << 20;

    /// <summary>The size the page asks PDFs to be compressed under (the portals' limit); 4 MB by default.</summary>
    public long TargetBytes { get; set; } = 4_000_000;

    /// <summary>Width in pixels of the page previews; 480 by default.</summary>
    public int PreviewWidth { get; set; } = 480;
}

/// <summary>One API key and the tenant it authenticates as.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>A label for the audit trail ("portal-backend", "operator"); empty: the key's SHA-256 prefix stands for it.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret sent as <c>authorization: Bearer KEY</c> or <c>x-api-key: KEY</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The tenant (portal) the key acts for.</summary>
    public string Tenant { get; set; } = "";
}

/// <summary>
/// OAuth2/OIDC bearer JWTs from one identity provider, accepted as tenant credentials beside API keys. The signing keys
/// come from a JWKS file, a JWKS URL, or the issuer's discovery document (<see cref="Authority"/>).
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The "iss" tokens must carry; empty turns OIDC bearer tokens off.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The "aud" tokens must carry (this service's identifier at the provider).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim that names the tenant; "tenant" by default. A token without it is refused.</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>A JWKS file (RFC 7517 key set) holding the provider's public keys.</summary>
    public string JwksFile { get; set; } = "";

    /// <summary>A URL serving the provider's JWKS; fetched at first use and refreshed daily, or at once for an unknown key id.</summary>
    public string JwksUrl { get; set; } = "";

    /// <summary>The provider's base URL; its OIDC discovery document (/.well-known/openid-configuration) names the keys.</summary>
    public string Authority { get; set; } = "";

    /// <summary>Whether key URLs must be https; true by default (turn off only for a provider on loopback in tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Whether OIDC bearer tokens are accepted.</summary>
    public bool Enabled => Issuer.Length > 0;
}

/// <summary>Limits that hold under abuse (issue 17); each is also visible as a metric. 0 turns a rate limit off.</summary>
public sealed class LimitOptions
{
    /// <summary>Calls per second one tenant may make with its own credentials (API key, OIDC), sustained: 500 by default.</summary>
    public double TenantRequestsPerSecond { get; set; } = 500;

    /// <summary>Calls a tenant may make at once above its sustained rate: 1000 by default.</summary>
    public int TenantBurst { get; set; } = 1000;

    /// <summary>Calls per second one applicant token may make, sustained: 25 by default (1 MiB chunks: 25 MiB/s).</summary>
    public double TokenRequestsPerSecond { get; set; } = 25;

    /// <summary>Calls an applicant token may make at once above its sustained rate: 50 by default.</summary>
    public int TokenBurst { get; set; } = 50;

    /// <summary>
    /// The slowest a unary request's body may arrive, in bytes per second, after <see cref="MinRequestBodyGracePeriod"/>
    /// (Kestrel's MinRequestBodyDataRate; gRPC lifts it for client-streaming calls, which the upload concurrency limit bounds).
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long a request body may arrive slower than the minimum rate before it is cut off: 5 seconds.</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
