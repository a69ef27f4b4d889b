using DocEngine.Core.Detection;
using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Pdf;
using DocEngine.Core.Storage;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Processing;

/// <summary>
/// Inspection and processing of stored documents. A processing result is a rendition keyed by the sources' SHA-256s
/// plus the options, stored in the blob store and filed under the first source: the same request again returns the
/// stored rendition without decoding anything. A PDF made to fit a byte budget may come out in parts: part 1 has the
/// rendition id, part i the id with "-i". Every decoder runs in a worker of <see cref="WorkerPool"/>, on a scratch copy.
/// </summary>
public sealed class RenditionService
{
    private readonly IDocumentStore _documents;
    private readonly IRenditionStore _renditions;
    private readonly IBlobStore _blobs;
    private readonly DocumentReader _reader;
    private readonly WorkerPool _workers;
    private readonly DocumentPipeline _pipeline;
    private readonly ProcessingOptions _options;
    private readonly string _workDirectory;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; scratch files go to <paramref name="workDirectory"/>, on the blob store's file system.</summary>
    public RenditionService(IDocumentStore documents, IRenditionStore renditions, IBlobStore blobs, WorkerPool workers,
        ProcessingOptions options, DocumentPipeline pipeline, string workDirectory, TimeProvider time)
    {
        _workers = workers;
        _pipeline = pipeline;
        _documents = documents;
        _renditions = renditions;
        _blobs = blobs;
        _reader = new DocumentReader(blobs);
        _options = options;
        _workDirectory = workDirectory;
        _time = time;
    }

    /// <summary>Inspects a stored document.</summary>
    public async Task<DocumentInfo> InspectAsync(string tenant, DocumentKey key, string? password, CancellationToken cancellationToken)
    {
        var document = await FindAsync(tenant, key, cancellationToken).ConfigureAwait(false);
        var copy = Path.Combine(_workDirectory, Ids.New() + ".src");
        try
        {
            await _reader.CopyToFileAsync(document.Sha256, document.SizeBytes, copy, cancellationToken).ConfigureAwait(false);
            return await _workers.RunAsync(new InspectJob(copy, document.Filename, password, _options), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>
    /// Processes stored documents (in page order) into a rendition, or returns the one already made with these options.
    /// A PDF, or any input with a byte budget, is compressed: one rendition, or one per part when it had to be split.
    /// </summary>
    public async Task<IReadOnlyList<RenditionRecord>> ProcessAsync(string tenant, IReadOnlyList<DocumentKey> keys, ProcessingRequest request,
        PdfCompressionRequest pdf, CancellationToken cancellationToken, bool bypassCache = false)
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
        pdf.Validate();
        if (documents.Count > 1 && documents.Any(d => IsOffice(d.MediaType)))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "OFFICE_AMONG_OTHERS",
                "An office document is converted to PDF on its own, not combined with other files: process it by itself.") { Field = "documents" };
        }
        var compress = pdf.MaxBytes is not null || pdf.SplitTo is not null || request.Ocr || request.Archive
            || (documents.Count == 1 && (first.MediaType == "application/pdf" || IsOffice(first.MediaType)));
        var id = RenditionId(documents, request, compress ? pdf : null);
        if (!bypassCache && await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, id, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            var parts = new List<RenditionRecord> { stored };
            for (var part = 2; part <= (stored.Report.Part?.Count ?? 1); part++)
            {
                parts.Add(await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, $"{id}-{part}", cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Rendition {id} lost its part {part}."));
            }
            return parts;
        }
        if (compress)
        {
            return await CompressAsync(tenant, documents, request, pdf, id, cancellationToken).ConfigureAwait(false);
        }

        var inputs = new List<JobInput>();
        var output = Path.Combine(_workDirectory, Ids.New() + ".out");
        try
        {
            foreach (var document in documents)
            {
                var copy = Path.Combine(_workDirectory, Ids.New() + ".src");
                inputs.Add(new JobInput(copy, document.Filename));
                await _reader.CopyToFileAsync(document.Sha256, document.SizeBytes, copy, cancellationToken).ConfigureAwait(false);
            }
            var outcome = await _workers.RunAsync(new NormalizeJob(inputs, request, output, _options), cancellationToken).ConfigureAwait(false);
            var size = new FileInfo(output).Length;
            var hashes = await BlobHashes.OfFileAsync(output, cancellationToken).ConfigureAwait(false);
            var sha256 = hashes.Sha256;
            await _blobs.PutFileAsync(output, hashes, cancellationToken).ConfigureAwait(false);
            var rendition = new RenditionRecord(tenant, first.ApplicationId, first.Id, id,
                documents.Select(d => $"{d.ApplicationId}/{d.Id}").ToList(), outcome.MediaType, size, sha256, outcome.Pages,
                outcome.Width, outcome.Height, outcome.Report, _time.GetUtcNow());
            await _renditions.PutRenditionAsync(rendition, cancellationToken).ConfigureAwait(false);
            DocEngineMetrics.RenditionMade(rendition.MediaType);
            return [await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, id, cancellationToken).ConfigureAwait(false) ?? rendition];
        }
        finally
        {
            foreach (var input in inputs)
            {
                File.Delete(input.Path);
            }
            File.Delete(output);
        }
    }

    /// <summary>A rendition by its key; null when it does not exist for this tenant.</summary>
    public Task<RenditionRecord?> GetAsync(string tenant, DocumentKey document, string id, CancellationToken cancellationToken) =>
        _renditions.GetRenditionAsync(tenant, document.ApplicationId, document.DocumentId, id, cancellationToken);

    /// <summary>A PDF, or the PDF made of the images, made to fit; each part stored as its own rendition.</summary>
    private async Task<IReadOnlyList<RenditionRecord>> CompressAsync(string tenant, List<DocumentRecord> documents, ProcessingRequest request,
        PdfCompressionRequest pdf, string id, CancellationToken cancellationToken)
    {
        var first = documents[0];
        var scratch = Directory.CreateDirectory(Path.Combine(_workDirectory, Ids.New() + ".compress"));
        try
        {
            var input = Path.Combine(scratch.FullName, "input.pdf");
            var actions = new List<string>();
            var type = new DetectedType(DocumentKind.Pdf, "application/pdf", "a PDF", null);
            if (documents.Count == 1 && (first.MediaType == "application/pdf" || IsOffice(first.MediaType)))
            {
                input = Path.Combine(scratch.FullName, "input" + Path.GetExtension(first.Filename ?? ""));
                await _reader.CopyToFileAsync(first.Sha256, first.SizeBytes, input, cancellationToken).ConfigureAwait(false);
                await using var content = File.OpenRead(input);
                type = ContentDetector.Detect(content, first.Filename);
            }
            else
            {
                // Images first become one PDF (upright, clean), which is then made to fit.
                var images = await ProcessAsync(tenant, documents.Select(d => new DocumentKey(d.ApplicationId, d.Id)).ToList(),
                    new ProcessingRequest(OutputFormat.Pdf, request.TargetDpi, request.MaxEdge, request.Gray), new PdfCompressionRequest(), cancellationToken).ConfigureAwait(false);
                await _reader.CopyToFileAsync(images[0].Sha256, images[0].SizeBytes, input, cancellationToken).ConfigureAwait(false);
                actions.AddRange(images[0].Report.Actions);
                pdf = pdf with { TargetDpi = null };
            }
            var result = await _pipeline.RunAsync(input, type, first.Filename, request, pdf, scratch.FullName, cancellationToken).ConfigureAwait(false);
            var records = new List<RenditionRecord>();
            for (var i = 0; i < result.Parts.Count; i++)
            {
                var part = result.Parts[i];
                await using (var file = new FileStream(part.Path, FileMode.Open, FileAccess.ReadWrite))
                {
                    file.Flush(flushToDisk: true); // durable before the blob store takes it
                }
                var hashes = await BlobHashes.OfFileAsync(part.Path, cancellationToken).ConfigureAwait(false);
                var sha256 = hashes.Sha256;
                await _blobs.PutFileAsync(part.Path, hashes, cancellationToken).ConfigureAwait(false);
                var report = result.Report with
                {
                    BytesBefore = documents.Sum(d => d.SizeBytes),
                    Actions = [.. actions, .. result.Report.Actions],
                    Part = result.Parts.Count > 1 ? new PartNumber(i + 1, result.Parts.Count, part.FirstPage, part.LastPage) : null,
                    Repaired = result.Repaired,
                };
                records.Add(new RenditionRecord(tenant, first.ApplicationId, first.Id, i == 0 ? id : $"{id}-{i + 1}",
                    documents.Select(d => $"{d.ApplicationId}/{d.Id}").ToList(), "application/pdf", part.Bytes, sha256,
                    part.LastPage - part.FirstPage + 1, 0, 0, report, _time.GetUtcNow()));
            }
            // Parts 2..N first: part 1 is what a later request finds, so it is written only once the others exist.
            foreach (var record in records.Skip(1).Append(records[0]))
            {
                await _renditions.PutRenditionAsync(record, cancellationToken).ConfigureAwait(false);
                DocEngineMetrics.RenditionMade(record.MediaType);
            }
            var stored = new List<RenditionRecord>();
            foreach (var record in records)
            {
                stored.Add(await _renditions.GetRenditionAsync(tenant, first.ApplicationId, first.Id, record.Id, cancellationToken).ConfigureAwait(false) ?? record);
            }
            return stored; // as storage keeps them (its clock precision), so asking again returns equal records
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private string RenditionId(IEnumerable<DocumentRecord> sources, ProcessingRequest request, PdfCompressionRequest? pdf)
    {
        var fit = pdf is null ? "" : $";max={pdf.MaxBytes};split={pdf.SplitTo};signed={pdf.AllowBreakingSignatures};pdfq={_options.PdfJpegQuality}";
        var ocr = request.Ocr ? $";langs={_pipeline.Converters.Ocr.Languages}" : "";
        var key = string.Join("\n", sources.Select(s => s.Sha256).Append(request.CanonicalKey(_options.JpegQuality) + fit + ocr));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
    }

    /// <summary>Whether a stored document's media type is one LibreOffice converts (Word, Excel, OpenDocument, RTF).</summary>
    internal static bool IsOffice(string mediaType) => OfficeMediaTypes.Contains(mediaType);

    private static readonly HashSet<string> OfficeMediaTypes = Enum.GetValues<DocumentKind>()
        .Where(Conversion.OfficeConverter.CanConvert).Select(k => ContentDetector.Describe(k).MediaType).ToHashSet(StringComparer.Ordinal);

    private Task<DocumentRecord> FindAsync(string tenant, DocumentKey key, CancellationToken cancellationToken) =>
        _documents.FindDocumentAsync(tenant, key, cancellationToken);
}
