namespace DocEngine.Server;

/// <summary>Host settings bound from the <c>DocEngine</c> section, next to the core's own options.</summary>
public sealed class ServerOptions
{
    /// <summary>API keys, each bound to one tenant (portal). Empty refuses every call.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>Browser origins allowed to call over gRPC-Web; "*" allows any. Empty allows none (same-origin only).</summary>
    public List<string> CorsOrigins { get; set; } = [];
}

/// <summary>One API key and the tenant it authenticates as.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The secret sent as <c>authorization: Bearer KEY</c> or <c>x-api-key: KEY</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The tenant (portal) the key acts for.</summary>
    public string Tenant { get; set; } = "";
}
