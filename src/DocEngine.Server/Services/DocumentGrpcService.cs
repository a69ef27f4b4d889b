using System.Globalization;
using DocEngine.Contract.V1;
using DocEngine.Core.Access;
using DocEngine.Core.Processing;
using DocEngine.Core.Storage;
using DocEngine.Server.Infrastructure;
using Google.Protobuf;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>DocumentService: metadata from the document store, bytes from the blob store, checked against their hash.</summary>
public sealed class DocumentGrpcService(IDocumentStore documents, DocumentReader reader, RenditionService renditions, AuditTrail audit) : DocumentService.DocumentServiceBase
{
    public override async Task<GetDocumentResponse> GetDocument(GetDocumentRequest request, ServerCallContext context) =>
        new() { Document = (await FindAsync(request.Name, context)).ToProto() };

    public override async Task<ListDocumentsResponse> ListDocuments(ListDocumentsRequest request, ServerCallContext context)
    {
        var applicationId = ResourceNames.ParseApplication(request.Parent, "parent");
        var page = await documents.ListDocumentsAsync(Callers.TenantOf(context), applicationId, request.PageSize, request.PageToken, context.CancellationToken)
            ?? throw ApplicationGrpcService.NotFound(applicationId);
        return new ListDocumentsResponse { Documents = { page.Items.Select(d => d.ToProto()) }, NextPageToken = page.NextPageToken };
    }

    public override async Task DownloadDocument(DownloadDocumentRequest request, IServerStreamWriter<DownloadDocumentResponse> responseStream, ServerCallContext context)
    {
        var described = await DescribeAsync(request.Name, context);
        var caller = Callers.Of(context);
        var end = request.Length > 0 ? Math.Min(described.SizeBytes, request.Offset + request.Length) : described.SizeBytes;
        // Recorded before a byte leaves: a read the audit trail cannot hold does not happen (issue 17).
        await audit.RecordAsync(caller.Tenant, ResourceNames.ParseDocumentOrRendition(request.Name).ApplicationId, Core.Storage.ApplicationEventKind.DocumentRead, request.Name,
            string.Create(CultureInfo.InvariantCulture, $"\"{described.Filename}\" was downloaded (bytes {request.Offset:N0}–{end:N0} of {described.SizeBytes:N0}) by {AuditTrail.Describe(caller.Actor)}."),
            caller.Actor, caller.TokenId, context.CancellationToken);
        var first = new DownloadDocumentResponse { Document = described, Offset = request.Offset };
        var position = request.Offset;
        await foreach (var piece in reader.ReadAsync(described.Sha256, described.SizeBytes, request.Offset, request.Length, context.CancellationToken))
        {
            // The piece's buffer is reused once WriteAsync returns, by which time the message is serialized.
            var message = first ?? new DownloadDocumentResponse { Offset = position };
            message.Data = UnsafeByteOperations.UnsafeWrap(piece);
            await responseStream.WriteAsync(message, context.CancellationToken);
            position += piece.Length;
            DocEngineMetrics.DownloadSent(piece.Length);
            first = null;
        }
        if (first is not null)
        {
            await responseStream.WriteAsync(first, context.CancellationToken); // an empty range still says what it is
        }
    }

    /// <summary>A document, or a rendition described as the document it is (same name scheme, its own hash and size).</summary>
    private async Task<Document> DescribeAsync(string name, ServerCallContext context)
    {
        var (applicationId, documentId, renditionId) = ResourceNames.ParseDocumentOrRendition(name);
        if (renditionId is null)
        {
            return (await FindAsync(name, context)).ToProto();
        }
        var rendition = await renditions.GetAsync(Callers.TenantOf(context), new DocumentKey(applicationId, documentId), renditionId, context.CancellationToken)
            ?? throw new DocEngineException(ErrorKind.NotFound, "RENDITION_NOT_FOUND",
                $"There is no rendition '{name}': process the document again to make it.")
            { Field = "name" };
        var source = await FindAsync(ResourceNames.Document(applicationId, documentId), context);
        return new Document
        {
            Name = name,
            Application = ResourceNames.Application(applicationId),
            Filename = Path.ChangeExtension(source.Filename, Extension(rendition.MediaType)),
            MediaType = rendition.MediaType,
            SizeBytes = rendition.SizeBytes,
            Sha256 = rendition.Sha256,
            CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(rendition.CreateTime),
            Upload = "",
        };
    }

    private static string Extension(string mediaType) => mediaType switch
    {
        "application/pdf" => ".pdf",
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        _ => ".bin",
    };

    private async Task<DocumentRecord> FindAsync(string name, ServerCallContext context)
    {
        var (applicationId, documentId) = ResourceNames.ParseDocument(name);
        return await documents.GetDocumentAsync(Callers.TenantOf(context), applicationId, documentId, context.CancellationToken)
            ?? throw new DocEngineException(ErrorKind.NotFound, "DOCUMENT_NOT_FOUND",
                $"There is no document '{name}': check the name, or list the application's documents.")
            { Field = "name" };
    }
}
