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
    /// <summary>Runs <paramref name="ops"/> on the document; a refusal is an outcome, a store that cannot be reached is thrown (the item is retried).</summary>
    public async Task<StoredItemResult> RunAsync(BatchItemRecord item, IReadOnlyList<BatchOp> ops, long? maxBytes, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(item.ApplicationId, item.DocumentId);
        var outputs = new List<string>();
        var outcome = BatchOutcome.Ok;
        var message = "";
        foreach (var op in ops)
        {
            try
            {
                outputs.AddRange(op switch
                {
                    BatchOp.Normalize => await NormalizeAsync(item.Tenant, key, maxBytes, cancellationToken).ConfigureAwait(false),
                    BatchOp.Preview => await PreviewAsync(item.Tenant, key, cancellationToken).ConfigureAwait(false),
                    _ => await VerifyAsync(item.Tenant, key, item, cancellationToken).ConfigureAwait(false),
                });
            }
            catch (DocEngineException refusal) when (refusal.Kind != ErrorKind.Unavailable)
            {
                // The first refusal says why; a failure elsewhere outranks it (as in the offline report).
                if (outcome == BatchOutcome.Ok)
                {
                    (outcome, message) = (BatchOutcome.Refused, refusal.Message);
                }
            }
            catch (Exception e) when (e is not (OperationCanceledException or DocEngineException))
            {
                (outcome, message) = (BatchOutcome.Failed, $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            }
        }
        return new StoredItemResult(outcome, message, outputs);
    }

    /// <summary>As ProcessDocument with default options: a PDF made to fit (under <paramref name="maxBytes"/> when given), an image normalized.</summary>
    private async Task<IEnumerable<string>> NormalizeAsync(string tenant, DocumentKey key, long? maxBytes, CancellationToken cancellationToken)
    {
        IReadOnlyList<RenditionRecord> made;
        try
        {
            made = await renditions.ProcessAsync(tenant, [key], new ProcessingRequest(), new Pdf.PdfCompressionRequest(maxBytes), cancellationToken).ConfigureAwait(false);
        }
        catch (DocEngineException e) when (e.Reason == "SEVERAL_PAGES_NEED_PDF")
        {
            // A batch cannot ask which format a multi-page TIFF should take, and only a PDF holds every page.
            made = await renditions.ProcessAsync(tenant, [key], new ProcessingRequest(OutputFormat.Pdf), new Pdf.PdfCompressionRequest(maxBytes), cancellationToken)
                .ConfigureAwait(false);
        }
        return made.Select(r => $"applications/{r.ApplicationId}/documents/{r.DocumentId}/renditions/{r.Id}");
    }

    /// <summary>As RenderPreviews of page 1 at the default width.</summary>
    private async Task<IEnumerable<string>> PreviewAsync(string tenant, DocumentKey key, CancellationToken cancellationToken)
    {
        await using var session = await previews.OpenAsync(tenant, key, null, new PreviewRequest("1"), cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        await foreach (var (_, rendition) in session.PagesAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(rendition);
        }
        return names;
    }

    /// <summary>As VerifySignatures; a file that is not a PDF has no PDF signature to check.</summary>
    private async Task<IEnumerable<string>> VerifyAsync(string tenant, DocumentKey key, BatchItemRecord item, CancellationToken cancellationToken)
    {
        if (item.MediaType != "application/pdf")
        {
            return [];
        }
        var report = await signatures.VerifyAsync(tenant, key, null, null, null, cancellationToken).ConfigureAwait(false);
        return [$"signatures:{report.Verdict}"];
    }
}

/// <summary>What a server-side batch did with one document.</summary>
/// <param name="Outcome">Ok, refused (with the core's sentence) or failed.</param>
/// <param name="Message">Why it was refused or failed; empty when ok.</param>
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
