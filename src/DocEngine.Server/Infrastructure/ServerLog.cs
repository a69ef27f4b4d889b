namespace DocEngine.Server.Infrastructure;

/// <summary>Server log events. Ids and method names only; never document bytes, file names or keys.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(2001, LogLevel.Warning, "No API keys are configured under DocEngine:ApiKeys and no OIDC issuer under DocEngine:Oidc: every DocEngine call will be refused, and health reports NOT_SERVING. Add one per portal (DocEngine__ApiKeys__0__Key, DocEngine__ApiKeys__0__Tenant)")]
    public static partial void NoApiKeys(ILogger logger);

    [LoggerMessage(2002, LogLevel.Error, "Unexpected failure in {Method} (reference {Reference})")]
    public static partial void Unexpected(ILogger logger, string method, string reference, Exception exception);

    [LoggerMessage(2003, LogLevel.Error, "Upload collection failed; it will run again at the next interval")]
    public static partial void CollectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(2004, LogLevel.Warning, "Issuing receipts after an upload failed; GetReceipt will issue them when asked")]
    public static partial void ReceiptIssueFailed(ILogger logger, Exception exception);

    [LoggerMessage(2005, LogLevel.Error, "The batch runner failed; it starts again in 5 seconds and no work item is lost")]
    public static partial void BatchRunnerFailed(ILogger logger, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "The portal page is on but {Root} holds no index.html: build the server with npm installed (src/DocEngine.Portal) or set DocEngine:Portal:Root")]
    public static partial void PortalNotBuilt(ILogger logger, string root);

    [LoggerMessage(2007, LogLevel.Information, "The portal page is served at / from {Root}")]
    public static partial void PortalServed(ILogger logger, string root);

    [LoggerMessage(2008, LogLevel.Critical, "DocEngine could not start ({Failure}); the sentence on stderr says why")]
    public static partial void StartFailed(ILogger logger, string failure);

    [LoggerMessage(2009, LogLevel.Warning, "No appsettings.json in {Folder}: DocEngine runs on built-in defaults and environment variables only")]
    public static partial void ConfigurationMissing(ILogger logger, string folder);

    [LoggerMessage(2010, LogLevel.Warning, "Reloading the revoked access tokens failed; until it works again each token is looked up in the store")]
    public static partial void RevocationRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(2011, LogLevel.Warning, "{Method} was refused with {Reason} because a store failed")]
    public static partial void StoreFailed(ILogger logger, string method, string reason, Exception exception);
}
