using DocEngine.Contract.V1;
using DocEngine.Core.Processing;
using DocEngine.Server.Infrastructure;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>ProcessingService: inspection and image normalization of stored documents, translated to and from the core.</summary>
public sealed class ProcessingGrpcService(RenditionService renditions, ServerOptions serverOptions) : ProcessingService.ProcessingServiceBase
{
    public override async Task<InspectDocumentResponse> InspectDocument(InspectDocumentRequest request, ServerCallContext context)
    {
        var (applicationId, documentId) = ResourceNames.ParseDocument(request.Name);
        var info = await renditions.InspectAsync(Callers.TenantOf(context), new DocumentKey(applicationId, documentId),
            request.Password is "" ? null : request.Password, context.CancellationToken);
        return new InspectDocumentResponse { Info = info.ToProto() };
    }

    public override async Task<ProcessDocumentResponse> ProcessDocument(ProcessDocumentRequest request, ServerCallContext context)
    {
        serverOptions.RequireCacheBypassAllowed(request.BypassCache);
        var keys = request.Documents.Select(name =>
        {
            var (applicationId, documentId) = ResourceNames.ParseDocument(name, "documents");
            return new DocumentKey(applicationId, documentId);
        }).ToList();
        var parts = await renditions.ProcessAsync(Callers.TenantOf(context), keys, request.Options.ToCore(), request.Options.ToPdfRequest(),
            context.CancellationToken, request.BypassCache);
        var response = new ProcessDocumentResponse { Rendition = parts[0].ToProto() };
        if (parts.Count > 1)
        {
            response.Parts.AddRange(parts.Select(p => p.ToProto()));
        }
        return response;
    }
}
