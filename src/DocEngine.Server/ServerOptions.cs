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

    /// <summary>Refuses a cache bypass unless the server allows it: a bypass makes a request do full work, which only benchmarks need.</summary>
    public void RequireCacheBypassAllowed(bool requested)
    {
        if (requested && !Bench.AllowCacheBypass)
        {
            throw new Core.DocEngineException(Core.ErrorKind.FailedPrecondition, "CACHE_BYPASS_NOT_ALLOWED",
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

/// <summary>One API key and the tenant it authenticates as.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The secret sent as <c>authorization: Bearer KEY</c> or <c>x-api-key: KEY</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The tenant (portal) the key acts for.</summary>
    public string Tenant { get; set; } = "";
}
