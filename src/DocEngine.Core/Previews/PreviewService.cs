using DocEngine.Core.Mupdf;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Previews;

/// <summary>
/// Previews of stored documents (or renditions), each page kept as a rendition keyed by the source's SHA-256 and the
/// page's options: a page already drawn with these options is read back instead of drawn again.
/// </summary>
public sealed class PreviewService(
    IDocumentStore documents,
    IRenditionStore renditions,
    IBlobStore blobs,
    PreviewRenderer renderer,
    PreviewOptions options,
    string workDirectory,
    TimeProvider time)
{
    private readonly DocumentReader _reader = new(blobs);

    /// <summary>The renderer, for health reporting.</summary>
    public MutoolRenderer Mutool => renderer.Mutool;

    /// <summary>Copies the source to scratch (checking its hash), and plans the previews. Dispose the session to delete the copy.</summary>
    public async Task<PreviewSession> OpenAsync(string tenant, DocumentKey key, string? renditionId, PreviewRequest request, CancellationToken cancellationToken)
    {
        var document = await documents.FindDocumentAsync(tenant, key, cancellationToken).ConfigureAwait(false);
        var (sha256, size, fileName) = (document.Sha256, document.SizeBytes, document.Filename);
        IReadOnlyList<string> done = [];
        if (renditionId is not null)
        {
            var rendition = await renditions.GetRenditionAsync(tenant, key.ApplicationId, key.DocumentId, renditionId, cancellationToken).ConfigureAwait(false)
                ?? throw new DocEngineException(ErrorKind.NotFound, "RENDITION_NOT_FOUND", "There is no such rendition: process the document again to make it.") { Field = "name" };
            (sha256, size, fileName) = (rendition.Sha256, rendition.SizeBytes, null);
            done = rendition.Report.Conversions();
        }
        // The stored file itself when the store keeps files (checked against its hash, never copied: issue 18), else a
        // checked scratch copy; the session deletes only a copy.
        var local = await _reader.OpenLocalFileAsync(sha256, size, workDirectory, cancellationToken).ConfigureAwait(false);
        EarlyPage? early = null;
        try
        {
            // Page 1 is drawn while the plan is read, unless it is stored already (issue 18).
            if (request.BypassCache || await StoredAsync(tenant, key, RenditionId(sha256, request.PageKey(1, options)), cancellationToken).ConfigureAwait(false) is null)
            {
                early = renderer.StartPageOne(local.Path, fileName, request);
            }
            var plan = await renderer.PlanAsync(local.Path, fileName, request, cancellationToken).ConfigureAwait(false);
            return new PreviewSession(this, tenant, key, sha256, local, fileName, request, plan) { Conversions = done, Early = early };
        }
        catch
        {
            if (early is not null)
            {
                await early.DisposeAsync().ConfigureAwait(false);
            }
            local.Dispose();
            throw;
        }
    }

    /// <summary>A stored rendition whose blob is there too; null when it must be drawn.</summary>
    private async Task<RenditionRecord?> StoredAsync(string tenant, DocumentKey key, string id, CancellationToken cancellationToken) =>
        await renditions.GetRenditionAsync(tenant, key.ApplicationId, key.DocumentId, id, cancellationToken).ConfigureAwait(false) is { } stored
        && await blobs.ExistsAsync(stored.Sha256, cancellationToken).ConfigureAwait(false)
            ? stored
            : null;

    internal async IAsyncEnumerable<(RenderedPage Page, string Rendition)> PagesAsync(PreviewSession session, IReadOnlyList<int> pages,
        PreviewRequest request, EarlyPage? early, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cached = new Dictionary<int, (RenditionRecord Record, string Name)>();
        foreach (var page in request.BypassCache ? [] : pages)
        {
            var id = RenditionId(session.Sha256, request.PageKey(page, options));
            if (await StoredAsync(session.Tenant, session.Key, id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                cached[page] = (stored, Name(session, id));
            }
        }
        var missing = pages.Where(p => !cached.ContainsKey(p)).ToList();
        await using var rendered = (missing.Count == 0
            ? AsyncEnumerable.Empty<RenderedPage>()
            : renderer.RenderAsync(session.Path, session.FileName, missing, request, cancellationToken, early)).GetAsyncEnumerator(cancellationToken);
        // Each drawn page is sent first and kept as a rendition off the stream's path: storing costs fsyncs, and
        // the person waiting for page 1 should not wait for them.
        var stores = new List<Task>();
        try
        {
            foreach (var page in pages)
            {
                if (cached.TryGetValue(page, out var hit))
                {
                    yield return (new RenderedPage(page, hit.Record.Width, hit.Record.Height, request.Format,
                        await ReadAllAsync(hit.Record, cancellationToken).ConfigureAwait(false)), hit.Name);
                    continue;
                }
                if (!await rendered.MoveNextAsync().ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The renderer ended before page {page}.");
                }
                var drawn = rendered.Current;
                var id = RenditionId(session.Sha256, request.PageKey(page, options));
                stores.Add(Task.Run(() => StoreAsync(session, id, drawn, $"Drew page {page} at {drawn.Width} × {drawn.Height} pixels.", CancellationToken.None), CancellationToken.None));
                yield return (drawn, Name(session, id));
            }
            await Task.WhenAll(stores).ConfigureAwait(false); // a full disk is reported, after the pages it could not keep
        }
        finally
        {
            await Task.WhenAll(stores).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    internal async Task<(RenderedPage Page, string Rendition)> ContactSheetAsync(PreviewSession session, CancellationToken cancellationToken)
    {
        var thumbnails = new PreviewRequest(Width: options.ContactSheetThumbnailWidth, Format: PreviewFormat.Png, Password: session.Request.Password);
        var key = $"contact/v1;thumbnail={options.ContactSheetThumbnailWidth};format={session.Request.Format}"
            + (session.Conversions.Count > 0 ? ";caption=" + string.Join(" ", session.Conversions) : ""); // sheets without a caption keep their old key
        var id = RenditionId(session.Sha256, key);
        if (!session.Request.BypassCache && await renditions.GetRenditionAsync(session.Tenant, session.Key.ApplicationId, session.Key.DocumentId, id, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return (new RenderedPage(0, stored.Width, stored.Height, session.Request.Format, await ReadAllAsync(stored, cancellationToken).ConfigureAwait(false)), Name(session, id));
        }
        var pages = new List<RenderedPage>();
        await foreach (var (page, _) in PagesAsync(session, Enumerable.Range(1, session.Plan.PageCount).ToList(), thumbnails, null, cancellationToken).ConfigureAwait(false))
        {
            pages.Add(page);
        }
        var sheet = ContactSheet.Build(pages, session.Request.Format, session.Conversions);
        await StoreAsync(session, id, sheet, $"Laid out {pages.Count} page thumbnail(s) on one contact sheet.", cancellationToken).ConfigureAwait(false);
        return (sheet, Name(session, id));
    }

    private async Task StoreAsync(PreviewSession session, string id, RenderedPage page, string action, CancellationToken cancellationToken)
    {
        var hashes = BlobHashes.Of(page.Bytes);
        var sha256 = hashes.Sha256;
        var path = Path.Combine(workDirectory, Ids.New() + ".page");
        try
        {
            // Durable before its row exists, so a crash never leaves a cache entry over a torn file.
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await file.WriteAsync(page.Bytes, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            await blobs.PutFileAsync(path, hashes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path); // gone already when the blob store took it
        }
        await renditions.PutRenditionAsync(new RenditionRecord(session.Tenant, session.Key.ApplicationId, session.Key.DocumentId, id,
            [$"{session.Key.ApplicationId}/{session.Key.DocumentId}"], MediaType(page.Format), page.Bytes.Length, sha256, 1, page.Width, page.Height,
            new ProcessingReport(0, page.Bytes.Length, [action], []), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        DocEngineMetrics.RenditionMade(MediaType(page.Format));
    }

    private Task<byte[]> ReadAllAsync(RenditionRecord stored, CancellationToken cancellationToken) =>
        _reader.ReadAllAsync(stored.Sha256, stored.SizeBytes, cancellationToken);

    private static string RenditionId(string sourceSha256, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceSha256 + "\n" + key)))[..24];

    private static string Name(PreviewSession session, string id) =>
        $"applications/{session.Key.ApplicationId}/documents/{session.Key.DocumentId}/renditions/{id}";

    /// <summary>The media type of a preview format.</summary>
    public static string MediaType(PreviewFormat format) => format switch
    {
        PreviewFormat.Jpeg => "image/jpeg",
        PreviewFormat.WebP => "image/webp",
        _ => "image/png",
    };
}

/// <summary>One preview request against one stored source: its plan, its pages, its contact sheet; disposing deletes a scratch copy (never the store's own file).</summary>
public sealed class PreviewSession : IAsyncDisposable
{
    private readonly PreviewService _service;

    private readonly LocalBlobFile _file;

    internal PreviewSession(PreviewService service, string tenant, DocumentKey key, string sha256, LocalBlobFile file, string? fileName, PreviewRequest request, PreviewPlan plan)
    {
        _service = service;
        _file = file;
        (Tenant, Key, Sha256, Path, FileName, Request, Plan) = (tenant, key, sha256, file.Path, fileName, request, plan);
    }

    internal string Tenant { get; }
    internal DocumentKey Key { get; }
    internal string Sha256 { get; }
    internal string Path { get; }
    internal string? FileName { get; }
    internal PreviewRequest Request { get; }

    /// <summary>Page 1 being drawn ahead of the plan, for this request only (not the contact sheet's thumbnails); null when not started.</summary>
    internal EarlyPage? Early { get; init; }

    /// <summary>What was done to a rendition (converted, made searchable, archived), for the contact sheet's caption; empty for an original.</summary>
    internal IReadOnlyList<string> Conversions { get; init; } = [];

    /// <summary>Pages in the document, the pages coming, and warnings.</summary>
    public PreviewPlan Plan { get; }

    /// <summary>The selected pages in order, each with its rendition name.</summary>
    public IAsyncEnumerable<(RenderedPage Page, string Rendition)> PagesAsync(CancellationToken cancellationToken) =>
        _service.PagesAsync(this, Plan.Pages, Request, Early, cancellationToken);

    /// <summary>Every page as a labelled thumbnail in one image.</summary>
    public Task<(RenderedPage Page, string Rendition)> ContactSheetAsync(CancellationToken cancellationToken) =>
        _service.ContactSheetAsync(this, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Early is not null)
        {
            await Early.DisposeAsync().ConfigureAwait(false); // its process is gone before a scratch copy is deleted
        }
        _file.Dispose();
    }
}
