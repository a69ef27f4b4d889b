using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Receipts;

/// <summary>What a receipt says about a stored document besides its metadata: pages, signature verdict, renditions.</summary>
public sealed class DocumentFacts(DocumentReader reader, DocumentInspector inspector, SignatureVerifier signatures, SignatureOptions signatureOptions,
    IRenditionStore renditions, string workDirectory, TimeSpan timeLimit)
{
    public async Task<(int Pages, ReceiptProcessing Processing)> SummariseAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        var pages = 0;
        string? verdict = null, note = null;
        try
        {
            // A PDF whose signatures can be checked is read once, for inspection and for the check alike.
            var checkSignatures = document.MediaType == "application/pdf" && document.SizeBytes <= signatureOptions.MaxBytes;
            var bytes = checkSignatures ? await reader.ReadAllAsync(document.Sha256, document.SizeBytes, cancellationToken).ConfigureAwait(false) : null;
            await using (var content = bytes is not null ? new MemoryStream(bytes, writable: false)
                : await reader.OpenSeekableAsync(document.Sha256, document.SizeBytes, workDirectory, cancellationToken).ConfigureAwait(false))
            {
                var info = await TimeLimit.RunAsync(token => inspector.Inspect(content, document.Filename, null, token), timeLimit, cancellationToken).ConfigureAwait(false);
                pages = info.Pdf?.Pages ?? info.Image?.Frames ?? 0;
            }
            if (bytes is not null)
            {
                verdict = (await signatures.VerifyPdfAsync(bytes, null, null, cancellationToken).ConfigureAwait(false)).Verdict.ContractName();
            }
        }
        catch (DocEngineException refusal)
        {
            note = refusal.Message; // a password-protected PDF, an unreadable file: the receipt still proves what arrived
        }
        var made = await renditions.ListRenditionsAsync(document.Tenant, document.ApplicationId, document.Id, cancellationToken).ConfigureAwait(false);
        return (pages, new ReceiptProcessing(verdict, note, made.Select(r =>
            new ReceiptRendition($"applications/{r.ApplicationId}/documents/{r.DocumentId}/renditions/{r.Id}", r.MediaType, r.Sha256)).ToList()));
    }
}
