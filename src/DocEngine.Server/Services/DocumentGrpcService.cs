using DocEngine.Contract.V1;
using DocEngine.Core;
using DocEngine.Core.Storage;
using DocEngine.Server.Infrastructure;
using Google.Protobuf;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>DocumentService: metadata from the document store, bytes from the blob store, checked against their hash.</summary>
public sealed class DocumentGrpcService(IDocumentStore documents, DocumentReader reader) : DocumentService.DocumentServiceBase
{
    public override async Task<GetDocumentResponse> GetDocument(GetDocumentRequest request, ServerCallContext context) =>
        new() { Document = (await FindAsync(request.Name, context)).ToProto() };

    public override async Task<ListDocumentsResponse> ListDocuments(ListDocumentsRequest request, ServerCallContext context)
    {
        var applicationId = ResourceNames.ParseApplication(request.Parent, "parent");
        var page = await documents.ListDocumentsAsync(ApiKeyInterceptor.TenantOf(context), applicationId, request.PageSize, request.PageToken, context.CancellationToken)
            ?? throw ApplicationGrpcService.NotFound(applicationId);
        return new ListDocumentsResponse { Documents = { page.Items.Select(d => d.ToProto()) }, NextPageToken = page.NextPageToken };
    }

    public override async Task DownloadDocument(DownloadDocumentRequest request, IServerStreamWriter<DownloadDocumentResponse> responseStream, ServerCallContext context)
    {
        var document = await FindAsync(request.Name, context);
        var first = new DownloadDocumentResponse { Document = document.ToProto(), Offset = request.Offset };
        var position = request.Offset;
        await foreach (var piece in reader.ReadAsync(document, request.Offset, request.Length, context.CancellationToken))
        {
            // The piece's buffer is reused once WriteAsync returns, by which time the message is serialized.
            var message = first ?? new DownloadDocumentResponse { Offset = position };
            message.Data = UnsafeByteOperations.UnsafeWrap(piece);
            await responseStream.WriteAsync(message, context.CancellationToken);
            position += piece.Length;
            first = null;
        }
        if (first is not null)
        {
            await responseStream.WriteAsync(first, context.CancellationToken); // an empty range still says what it is
        }
    }

    private async Task<DocumentRecord> FindAsync(string name, ServerCallContext context)
    {
        var (applicationId, documentId) = ResourceNames.ParseDocument(name);
        return await documents.GetDocumentAsync(ApiKeyInterceptor.TenantOf(context), applicationId, documentId, context.CancellationToken)
            ?? throw new DocEngineException(ErrorKind.NotFound, "DOCUMENT_NOT_FOUND",
                $"There is no document '{name}': check the name, or list the application's documents.")
            { Field = "name" };
    }
}
