using DocEngine.Contract.V1;
using DocEngine.Core.Previews;
using DocEngine.Server.Infrastructure;
using Grpc.Core;
using PreviewService = DocEngine.Contract.V1.PreviewService;

namespace DocEngine.Server.Services;

/// <summary>PreviewService: streams a summary, the pages in order, then the contact sheet when asked.</summary>
public sealed class PreviewGrpcService(Core.Previews.PreviewService previews, ServerOptions serverOptions) : PreviewService.PreviewServiceBase
{
    public override async Task RenderPreviews(RenderPreviewsRequest request, IServerStreamWriter<RenderPreviewsResponse> responseStream, ServerCallContext context)
    {
        serverOptions.RequireCacheBypassAllowed(request.BypassCache);
        var (applicationId, documentId, renditionId) = ResourceNames.ParseDocumentOrRendition(request.Name);
        var options = new PreviewRequest(
            request.Pages is "" ? null : request.Pages,
            request.Width is 0 ? null : request.Width,
            request.Dpi is 0 ? null : request.Dpi,
            request.Format.ToCore(),
            request.Password is "" ? null : request.Password,
            request.ContactSheet) { BypassCache = request.BypassCache };
        var cancellationToken = context.CancellationToken;
        await using var session = await previews.OpenAsync(ApiKeyInterceptor.TenantOf(context), new DocumentKey(applicationId, documentId), renditionId, options, cancellationToken);
        await responseStream.WriteAsync(new RenderPreviewsResponse
        {
            Summary = new PreviewSummary { PageCount = session.Plan.PageCount, Pages = { session.Plan.Pages }, Warnings = { session.Plan.Warnings } },
        }, cancellationToken);
        await foreach (var (page, rendition) in session.PagesAsync(cancellationToken))
        {
            await responseStream.WriteAsync(new RenderPreviewsResponse { Page = page.ToProto(rendition) }, cancellationToken);
        }
        if (options.ContactSheet)
        {
            var (sheet, rendition) = await session.ContactSheetAsync(cancellationToken);
            await responseStream.WriteAsync(new RenderPreviewsResponse { ContactSheet = sheet.ToProto(rendition) }, cancellationToken);
        }
    }
}
