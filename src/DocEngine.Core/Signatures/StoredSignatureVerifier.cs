using DocEngine.Core.Storage;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Verifies the signatures of stored documents: copies the blob (hash-checked) to scratch and hands it to
/// <see cref="SignatureVerifier"/> in a worker of <paramref name="workers"/>, bytes in, report out.
/// </summary>
public sealed class StoredSignatureVerifier(IDocumentStore documents, DocumentReader reader, SignatureVerifier verifier, SignatureOptions options, WorkerPool workers)
{
    /// <summary>Verifies a stored PDF, or a stored detached signature against <paramref name="signedDocument"/>.</summary>
    public async Task<SignatureReport> VerifyAsync(string tenant, DocumentKey document, DocumentKey? signedDocument, string? password,
        TrustAnchors? extraAnchors, CancellationToken cancellationToken)
    {
        var copies = new List<string>();
        try
        {
            var path = await CopyAsync(tenant, document, "name", copies, cancellationToken).ConfigureAwait(false);
            var content = signedDocument is null ? null : await CopyAsync(tenant, signedDocument, "signed_document", copies, cancellationToken).ConfigureAwait(false);
            var anchors = extraAnchors is null ? verifier.Anchors : verifier.Anchors.With(extraAnchors.Certificates);
            return await workers.VerifySignaturesAsync(VerifySignaturesJob.For(path, content, signedDocument is null ? password : null, anchors, options), cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            copies.ForEach(File.Delete);
        }
    }

    private async Task<string> CopyAsync(string tenant, DocumentKey key, string field, List<string> copies, CancellationToken cancellationToken)
    {
        var record = await documents.FindDocumentAsync(tenant, key, cancellationToken, field).ConfigureAwait(false);
        if (record.SizeBytes > options.MaxBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "SIGNED_FILE_TOO_LARGE",
                $"This file is larger than {ByteSize.Describe(options.MaxBytes)}, more than any signed document needs: ask for the signed original.")
            { Field = field };
        }
        var path = Path.Combine(workers.WorkDirectory, Ids.New() + ".sig");
        copies.Add(path);
        await reader.CopyToFileAsync(record.Sha256, record.SizeBytes, path, cancellationToken).ConfigureAwait(false);
        return path;
    }
}
