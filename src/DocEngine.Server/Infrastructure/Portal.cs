using Microsoft.Extensions.FileProviders;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Serves the portal page (src/DocEngine.Portal, built by the server's build into <c>portal/</c>) at "/", with the
/// settings it reads at start at "/config.json". The page calls the gRPC services over gRPC-Web on its own origin.
/// </summary>
public static class Portal
{
    // The page loads only its own files, draws previews from blob: URLs and talks only to this origin (and to the
    // portal back end that hands it tokens, when DocEngine:Portal:TokenUrl names one elsewhere).
    private static string ContentSecurityPolicy(string tokenOrigin) =>
        $"default-src 'self'; img-src 'self' blob: data:; connect-src 'self'{tokenOrigin}; style-src 'self'; script-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    /// <summary>Adds the page's files and settings when <c>DocEngine:Portal:Enabled</c> is true.</summary>
    public static WebApplication UseDocEnginePortal(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        var portal = options.Portal;
        if (!portal.Enabled)
        {
            return app;
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Portal));
        var root = Path.GetFullPath(portal.Root.Length > 0 ? portal.Root : Path.Combine(AppContext.BaseDirectory, "portal"),
            app.Environment.ContentRootPath);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            ServerLog.PortalNotBuilt(logger, root);
            app.MapGet("/", () => Results.Text(
                "The portal page was not built: install npm and build the server again (see src/DocEngine.Portal/README.md).",
                statusCode: StatusCodes.Status503ServiceUnavailable));
            return app;
        }
        var tokenOrigin = Uri.TryCreate(portal.TokenUrl, UriKind.Absolute, out var tokenUrl) ? " " + tokenUrl.GetLeftPart(UriPartial.Authority) : "";
        var policy = ContentSecurityPolicy(tokenOrigin);
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers["Referrer-Policy"] = "no-referrer"; // a ?token= link never leaks through a Referer header
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache"; // a rebuilt page is picked up at once; ETags keep repeats cheap
            },
        });
        var uploads = app.Services.GetRequiredService<Core.DocEngineOptions>().Uploads;
        var chunkBytes = Math.Clamp(portal.ChunkBytes, 16 << 10, uploads.MaxChunkBytes);
        // A tenant key reaches the page only in Development (AddDocEngine refuses DocEngine:Portal:ApiKey elsewhere).
        var development = app.Environment.IsDevelopment();
        app.MapGet("/config.json", () => Results.Json(new PortalConfig(
            development && portal.ApiKey.Length > 0 ? portal.ApiKey : null, development, portal.TokenUrl.Length > 0 ? portal.TokenUrl : null,
            chunkBytes, portal.TargetBytes, portal.PreviewWidth, uploads.MaxUploadBytes)));
        ServerLog.PortalServed(logger, root);
        return app;
    }

    /// <summary>What the page reads at start (camelCase JSON).</summary>
    private sealed record PortalConfig(string? ApiKey, bool Development, string? TokenUrl, int ChunkBytes, long TargetBytes, int PreviewWidth, long MaxUploadBytes);
}
