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
    /// An API key handed to every visitor of the page, so it can call without asking for one. Only for a page on a
    /// trusted network (Development sets the development key); when empty, the page asks the person for a key.
    /// </summary>
    public string ApiKey { get; set; } = "";

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
    /// <summary>The secret sent as <c>authorization: Bearer KEY</c> or <c>x-api-key: KEY</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The tenant (portal) the key acts for.</summary>
    public string Tenant { get; set; } = "";
}
