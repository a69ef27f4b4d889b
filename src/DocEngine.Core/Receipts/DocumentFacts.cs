using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Receipts;

/// <summary>
/// What a receipt says about a stored document besides its metadata: pages, signature verdict, renditions. The
/// document is copied to scratch once and read by workers of <paramref name="workers"/>.
/// </summary>
public sealed class DocumentFacts(DocumentReader reader, WorkerPool workers, ProcessingOptions processing, SignatureVerifier signatures,
    SignatureOptions signatureOptions, IRenditionStore renditions)
{
    public async Task<(int Pages, ReceiptProcessing Processing)> SummariseAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        var pages = 0;
        string? verdict = null, note = null, conversion = null;
        var copy = Path.Combine(workers.WorkDirectory, Ids.New() + ".receipt");
        try
        {
            await reader.CopyToFileAsync(document.Sha256, document.SizeBytes, copy, cancellationToken).ConfigureAwait(false);
            var info = await workers.RunAsync(new InspectJob(copy, document.Filename, null, processing), cancellationToken).ConfigureAwait(false);
            pages = info.Pdf?.Pages ?? info.Image?.Frames ?? 0;
            if (info.ConvertsToPdf)
            {
                conversion = $"DocEngine converts this file ({info.Detection.Description}) to PDF for its previews and renditions; this receipt is for the file exactly as received.";
            }
            if (document.MediaType == "application/pdf" && document.SizeBytes <= signatureOptions.MaxBytes)
            {
                var report = await workers.VerifySignaturesAsync(VerifySignaturesJob.For(copy, null, null, signatures.Anchors, signatureOptions), cancellationToken).ConfigureAwait(false);
                verdict = report.Verdict.ContractName();
            }
        }
        catch (DocEngineException refusal)
        {
            note = refusal.Message; // a password-protected PDF, an unreadable file: the receipt still proves what arrived
        }
        finally
        {
            File.Delete(copy);
        }
        var made = await renditions.ListRenditionsAsync(document.Tenant, document.ApplicationId, document.Id, cancellationToken).ConfigureAwait(false);
        return (pages, new ReceiptProcessing(verdict, note, made.Select(Rendition).ToList(), conversion));
    }

    /// <summary>A rendition as the receipt lists it, naming what was done to make it (nothing more for one only compressed or drawn).</summary>
    private static ReceiptRendition Rendition(RenditionRecord r)
    {
        var done = r.Report.Conversions();
        return new ReceiptRendition($"applications/{r.ApplicationId}/documents/{r.DocumentId}/renditions/{r.Id}", r.MediaType, r.Sha256,
            r.Report.ConvertedFrom, r.Report.TextLayerPages is > 0 ? r.Report.TextLayerPages : null, r.Report.Archival, done.Count > 0 ? done : null);
    }
}
