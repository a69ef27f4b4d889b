using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Receipts;

/// <summary>
/// Issues and serves receipts. A document's receipt is issued when it is first asked for (or right after its upload),
/// and every earlier document of the application without one is issued first, in the order received, so the chain
/// follows arrival order. One issuer per application at a time in this process; the store's unique sequence keeps
/// the chain whole when several processes race.
/// </summary>
public sealed class ReceiptService(
    IDocumentStore documents,
    IReceiptStore receipts,
    ReceiptKeys keys,
    ReceiptOptions options,
    DocumentFacts facts,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<(string, string), SemaphoreSlim> _issuers = new();

    public ReceiptKeys Keys => keys;

    /// <summary>The document's receipt, issuing the application's missing receipts up to it first.</summary>
    public async Task<ReceiptRecord> GetOrIssueAsync(string tenant, DocumentKey key, CancellationToken cancellationToken)
    {
        if (await receipts.GetReceiptAsync(tenant, key.ApplicationId, key.DocumentId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }
        await documents.FindDocumentAsync(tenant, key, cancellationToken).ConfigureAwait(false);
        await IssuePendingAsync(tenant, key.ApplicationId, cancellationToken).ConfigureAwait(false);
        return await receipts.GetReceiptAsync(tenant, key.ApplicationId, key.DocumentId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The receipt was issued but cannot be read back.");
    }

    /// <summary>Issues receipts for every document of the application that has none, in the order received.</summary>
    public async Task IssuePendingAsync(string tenant, string applicationId, CancellationToken cancellationToken)
    {
        var issuer = _issuers.GetOrAdd((tenant, applicationId), _ => new SemaphoreSlim(1, 1));
        await issuer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var document in await receipts.ListDocumentsWithoutReceiptAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false))
            {
                var summary = await facts.SummariseAsync(document, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var previous = await receipts.GetLastReceiptAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false);
                    var receipt = Issue(document, summary, previous);
                    if (await receipts.TryAddReceiptAsync(receipt, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                    if (await receipts.GetReceiptAsync(tenant, applicationId, document.Id, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        break; // another process issued this one
                    }
                }
            }
        }
        finally
        {
            issuer.Release();
        }
    }

    /// <summary>An application's receipts, in chain order.</summary>
    public Task<Page<ReceiptRecord>> ListAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken) =>
        receipts.ListReceiptsAsync(tenant, applicationId, pageSize, pageToken, cancellationToken);

    private ReceiptRecord Issue(DocumentRecord document, (int Pages, ReceiptProcessing Processing) summary, ReceiptRecord? previous)
    {
        var now = time.GetUtcNow();
        var application = $"applications/{document.ApplicationId}";
        var payload = new ReceiptPayload(options.Issuer, ReceiptPayload.ReceiptType, document.Tenant, application, $"{application}/documents/{document.Id}",
            document.Filename, document.SizeBytes, document.Sha256, document.MediaType, summary.Pages, document.CreateTime, document.Supplementary,
            document.Version, summary.Processing, (previous?.Sequence ?? 0) + 1, previous?.Sha256, now);
        var jws = Jws.Sign(payload.ToJson(), keys.Active.Id, keys.Active.Key);
        return new ReceiptRecord(document.Tenant, document.ApplicationId, document.Id, payload.Sequence, jws, Sha256(jws), previous?.Sha256, keys.Active.Id, now);
    }

    /// <summary>The chain hash of a receipt: SHA-256 (lowercase hex) of its JWS text.</summary>
    public static string Sha256(string jws) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(jws.Trim())));
}
