
namespace DocEngine.Core.Storage;

/// <summary>The one sentence every path says when a document is not the caller's to see.</summary>
public static class DocumentStoreExtensions
{
    /// <summary>The document, or NOT_FOUND DOCUMENT_NOT_FOUND naming <paramref name="field"/>.</summary>
    public static async Task<DocumentRecord> FindDocumentAsync(this IDocumentStore documents, string tenant, DocumentKey key, CancellationToken cancellationToken,
        string field = "name") =>
        await documents.GetDocumentAsync(tenant, key.ApplicationId, key.DocumentId, cancellationToken).ConfigureAwait(false)
        ?? throw new DocEngineException(ErrorKind.NotFound, "DOCUMENT_NOT_FOUND",
            $"There is no document 'applications/{key.ApplicationId}/documents/{key.DocumentId}': check the name, or list the application's documents.")
        { Field = field };
}
