using DocEngine.Core.Storage;

namespace DocEngine.Core.Signatures;

/// <summary>Verifies the signatures of stored documents: reads the blob (hash-checked) and hands it to <see cref="SignatureVerifier"/>.</summary>
public sealed class StoredSignatureVerifier(IDocumentStore documents, DocumentReader reader, SignatureVerifier verifier, SignatureOptions options)
{
    /// <summary>Verifies a stored PDF, or a stored detached signature against <paramref name="signedDocument"/>.</summary>
    public async Task<SignatureReport> VerifyAsync(string tenant, DocumentKey document, DocumentKey? signedDocument, string? password,
        TrustAnchors? extraAnchors, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(tenant, document, "name", cancellationToken).ConfigureAwait(false);
        if (signedDocument is null)
        {
            return await verifier.VerifyPdfAsync(bytes, password, extraAnchors, cancellationToken).ConfigureAwait(false);
        }
        var content = await ReadAsync(tenant, signedDocument, "signed_document", cancellationToken).ConfigureAwait(false);
        return await verifier.VerifyDetachedAsync(bytes, content, extraAnchors, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> ReadAsync(string tenant, DocumentKey key, string field, CancellationToken cancellationToken)
    {
        var record = await documents.FindDocumentAsync(tenant, key, cancellationToken, field).ConfigureAwait(false);
        if (record.SizeBytes > options.MaxBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "SIGNED_FILE_TOO_LARGE",
                $"This file is larger than {ByteSize.Describe(options.MaxBytes)}, more than any signed document needs: ask for the signed original.")
            { Field = field };
        }
        return await reader.ReadAllAsync(record.Sha256, record.SizeBytes, cancellationToken).ConfigureAwait(false);
    }
}
