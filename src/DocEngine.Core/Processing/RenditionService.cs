using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Imaging;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Processing;

/// <summary>
/// Inspection and processing of stored documents. A processing result is a rendition keyed by the sources' SHA-256s
/// plus the options, stored in the blob store and filed under the first source: the same request again returns the
/// stored rendition without decoding anything.
/// </summary>
public sealed class RenditionService
{
    private readonly IDocumentStore _documents;
    private readonly IRenditionStore _renditions;
    private readonly IBlobStore _blobs;
    private readonly DocumentReader _reader;
    private readonly DocumentInspector _inspector;
    private readonly DocumentProcessor _processor;
    private readonly ProcessingOptions _options;
    private readonly string _workDirectory;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; scratch files go to <paramref name="workDirectory"/>, on the blob store's file system.</summary>
    public RenditionService(IDocumentStore documents, IRenditionStore renditions, IBlobStore blobs, ImagingConfiguration imaging,
        string workDirectory, TimeProvider time)
    {
        _documents = documents;
        _renditions = renditions;
        _blobs = blobs;
        _reader = new DocumentReader(blobs);
        _inspector = new DocumentInspector(imaging);
        _processor = new DocumentProcessor(imaging);
        _options = imaging.Options;
        _workDirectory = workDirectory;
        _time = time;
    }

    /// <summary>Inspects a stored document.</summary>
    public async Task<DocumentInfo> InspectAsync(string tenant, DocumentKey key, string? password, CancellationToken cancellationToken)
    {
        var document = await FindAsync(tenant, key, cancellationToken).ConfigureAwait(false);
        await using var content = await _reader.OpenSeekableAsync(document.Sha256, document.SizeBytes, _workDirectory, cancellationToken).ConfigureAwait(false);
        return await TimeLimit.RunAsync(token => _inspector.Inspect(content, document.Filename, password, token), _options.MaxProcessingTime, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Processes stored documents (in page order) into a rendition, or returns the one already made with these options.</summary>
    public async Task<RenditionRecord> ProcessAsync(string tenant, IReadOnlyList<DocumentKey> keys, ProcessingRequest request, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "NO_DOCUMENTS", "Name at least one document to process.") { Field = "documents" };
        }
        request.Validate();
        var documents = new List<DocumentRecord>();
        foreach (var key in keys)
        {
            documents.Add(await FindAsync(tenant, key, cancellationToken).ConfigureAwait(false));
        }
        var first = documents[0];
        var id = RenditionId(documents, request);
        if (await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, id, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        var inputs = new List<ProcessingInput>();
        var output = Path.Combine(_workDirectory, Ids.New() + ".out");
        try
        {
            foreach (var document in documents)
            {
                var content = await _reader.OpenSeekableAsync(document.Sha256, document.SizeBytes, _workDirectory, cancellationToken).ConfigureAwait(false);
                inputs.Add(new ProcessingInput(content, document.Filename));
            }
            var (outcome, sha256, size) = await TimeLimit.RunAsync(token =>
            {
                using var file = new FileStream(output, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
                var result = _processor.Process(inputs, request, file, token);
                file.Flush(flushToDisk: true);
                file.Position = 0;
                return (result, Convert.ToHexStringLower(SHA256.HashData(file)), file.Length);
            }, _options.MaxProcessingTime, cancellationToken).ConfigureAwait(false);
            await _blobs.PutFileAsync(output, sha256, cancellationToken).ConfigureAwait(false);
            var rendition = new RenditionRecord(tenant, first.ApplicationId, first.Id, id,
                documents.Select(d => $"{d.ApplicationId}/{d.Id}").ToList(), outcome.MediaType, size, sha256, outcome.Pages,
                outcome.Width, outcome.Height, outcome.Report, _time.GetUtcNow());
            await _renditions.PutRenditionAsync(rendition, cancellationToken).ConfigureAwait(false);
            return await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, id, cancellationToken).ConfigureAwait(false) ?? rendition;
        }
        finally
        {
            foreach (var input in inputs)
            {
                await input.Content.DisposeAsync().ConfigureAwait(false);
            }
            File.Delete(output);
        }
    }

    /// <summary>A rendition by its key; null when it does not exist for this tenant.</summary>
    public Task<RenditionRecord?> GetAsync(string tenant, DocumentKey document, string id, CancellationToken cancellationToken) =>
        _renditions.GetRenditionAsync(tenant, document.ApplicationId, document.DocumentId, id, cancellationToken);

    private string RenditionId(IEnumerable<DocumentRecord> sources, ProcessingRequest request)
    {
        var key = string.Join("\n", sources.Select(s => s.Sha256).Append(request.CanonicalKey(_options.JpegQuality)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
    }

    private async Task<DocumentRecord> FindAsync(string tenant, DocumentKey key, CancellationToken cancellationToken) =>
        await _documents.GetDocumentAsync(tenant, key.ApplicationId, key.DocumentId, cancellationToken).ConfigureAwait(false)
        ?? throw new DocEngineException(ErrorKind.NotFound, "DOCUMENT_NOT_FOUND",
            $"There is no document 'applications/{key.ApplicationId}/documents/{key.DocumentId}': check the name, or list the application's documents.")
        { Field = "name" };
}

/// <summary>A document's identity within a tenant.</summary>
public sealed record DocumentKey(string ApplicationId, string DocumentId);
