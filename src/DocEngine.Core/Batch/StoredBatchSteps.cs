using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Batch;

/// <summary>
/// The steps of a server-side batch on one stored document, through the same services the single-document calls use
/// (ProcessDocument, RenderPreviews, VerifySignatures): the same rendition keys, so a result a batch made is what a later
/// call gets back without work and the other way round, the same renderer pool, and results in the blob store.
/// </summary>
public sealed class StoredBatchSteps(RenditionService renditions, PreviewService previews, StoredSignatureVerifier signatures)
{
    /// <summary>
    /// Runs <paramref name="ops"/> on the document and judges the outcome as the offline batch does (<see cref="BatchWork.Judge"/>):
    /// a refusal or a result a person must look at is an outcome; a store that cannot be reached is thrown (the item is retried).
    /// </summary>
    public async Task<StoredItemResult> RunAsync(BatchItemRecord item, IReadOnlyList<BatchOp> ops, long? maxBytes, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(item.ApplicationId, item.DocumentId);
        var outputs = new List<string>();
        var lines = new List<OpLine>();
        foreach (var op in ops)
        {
            try
            {
                var step = op switch
                {
                    BatchOp.Normalize => await NormalizeAsync(item.Tenant, key, new ProcessingRequest(), maxBytes, cancellationToken).ConfigureAwait(false),
                    BatchOp.Ocr => await OcrAsync(item, key, maxBytes, cancellationToken).ConfigureAwait(false),
                    BatchOp.Preview => await PreviewAsync(item.Tenant, key, cancellationToken).ConfigureAwait(false),
                    _ => await VerifyAsync(item.Tenant, key, item, cancellationToken).ConfigureAwait(false),
                };
                outputs.AddRange(step.Outputs);
                lines.Add(new OpLine(op, "", step.SkippedBecause is not null ? BatchOutcome.Skipped : step.Attention is not null ? BatchOutcome.Attention : BatchOutcome.Ok,
                    step.SkippedBecause ?? step.Attention));
            }
            catch (DocEngineException refusal) when (refusal.Kind != ErrorKind.Unavailable)
            {
                lines.Add(new OpLine(op, "", BatchOutcome.Refused, refusal.Message));
            }
            catch (Exception e) when (e is not (OperationCanceledException or DocEngineException))
            {
                lines.Add(new OpLine(op, "", BatchOutcome.Failed, $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}"));
            }
        }
        var (outcome, message) = BatchWork.Judge(lines);
        return new StoredItemResult(outcome, message, outputs);
    }

    /// <summary>
    /// As ProcessDocument (<paramref name="request"/>: default options, or OCR): an office document converted to PDF, a PDF
    /// made to fit (under <paramref name="maxBytes"/> when given), an image normalized; each result a rendition in the stores.
    /// </summary>
    private async Task<StoredStep> NormalizeAsync(string tenant, DocumentKey key, ProcessingRequest request, long? maxBytes, CancellationToken cancellationToken)
    {
        IReadOnlyList<RenditionRecord> made;
        try
        {
            made = await renditions.ProcessAsync(tenant, [key], request, new Pdf.PdfCompressionRequest(maxBytes), cancellationToken).ConfigureAwait(false);
        }
        catch (DocEngineException e) when (e.Reason == "SEVERAL_PAGES_NEED_PDF")
        {
            // A batch cannot ask which format a multi-page TIFF should take, and only a PDF holds every page.
            made = await renditions.ProcessAsync(tenant, [key], request with { Format = OutputFormat.Pdf }, new Pdf.PdfCompressionRequest(maxBytes), cancellationToken)
                .ConfigureAwait(false);
        }
        return new StoredStep(made.Select(r => $"applications/{r.ApplicationId}/documents/{r.DocumentId}/renditions/{r.Id}").ToList(),
            Attention: made.Any(r => r.Report.Repaired)
                ? "This PDF was damaged and has been repaired the way a PDF viewer repairs it: check that the normalized copy shows every page."
                : null);
    }

    /// <summary>As ProcessDocument with OCR: a searchable PDF rendition; office documents carry their text already and are skipped (as offline).</summary>
    private Task<StoredStep> OcrAsync(BatchItemRecord item, DocumentKey key, long? maxBytes, CancellationToken cancellationToken) =>
        RenditionService.IsOffice(item.MediaType)
            ? Task.FromResult(new StoredStep([], SkippedBecause: "An office document carries its text already: nothing to read from images."))
            : NormalizeAsync(item.Tenant, key, new ProcessingRequest { Ocr = true }, maxBytes, cancellationToken);

    /// <summary>As RenderPreviews of page 1 at the default width.</summary>
    private async Task<StoredStep> PreviewAsync(string tenant, DocumentKey key, CancellationToken cancellationToken)
    {
        await using var session = await previews.OpenAsync(tenant, key, null, new PreviewRequest("1"), cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        await foreach (var (_, rendition) in session.PagesAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(rendition);
        }
        return new StoredStep(names, Attention: session.Plan.Repaired
            ? "This PDF is damaged: the preview shows what a repairing viewer can still draw, so check it against the original."
            : null);
    }

    /// <summary>As VerifySignatures; a file that is not a PDF has no PDF signature to check.</summary>
    private async Task<StoredStep> VerifyAsync(string tenant, DocumentKey key, BatchItemRecord item, CancellationToken cancellationToken)
    {
        if (item.MediaType != "application/pdf")
        {
            return new StoredStep([], SkippedBecause: "Not a PDF, so there is no PDF signature to check.");
        }
        var report = await signatures.VerifyAsync(tenant, key, null, null, null, cancellationToken).ConfigureAwait(false);
        var verdict = report.Verdict.ContractName();
        return new StoredStep([$"signatures:{report.Verdict}"],
            Attention: report.Verdict.NeedsAttention() ? $"Its digital signatures are not valid ({verdict})." : null);
    }

    /// <summary>What one step made (resource names), why it did not apply, or why a person must look.</summary>
    private sealed record StoredStep(IReadOnlyList<string> Outputs, string? SkippedBecause = null, string? Attention = null);
}

/// <summary>What a server-side batch did with one document.</summary>
/// <param name="Outcome">Ok, attention, refused (with the core's sentence) or failed, judged as the offline batch judges.</param>
/// <param name="Message">Why it was refused, failed or needs attention; empty when ok.</param>
/// <param name="Outputs">The renditions made or found (their resource names), and the signature verdict.</param>
public sealed record StoredItemResult(BatchOutcome Outcome, string Message, IReadOnlyList<string> Outputs);

/// <summary>How server-side batches run on each node (section DocEngine:Batches).</summary>
public sealed class StoredBatchOptions
{
    /// <summary>Documents one node works on at once; default the number of cores.</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>How long an item stays with a node that stops renewing it (a node that died); default 30 seconds. Nodes renew every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
}
