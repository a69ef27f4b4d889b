using DocEngine.Contract.V1;
using DocEngine.Core.Access;
using DocEngine.Core.Previews;
using DocEngine.Server.Infrastructure;
using Grpc.Core;
using PreviewService = DocEngine.Contract.V1.PreviewService;

namespace DocEngine.Server.Services;

/// <summary>PreviewService: streams a summary, the pages in order, then the contact sheet when asked.</summary>
public sealed class PreviewGrpcService(Core.Previews.PreviewService previews, ServerOptions serverOptions, AuditTrail audit) : PreviewService.PreviewServiceBase
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
        var caller = Callers.Of(context);
        await using var session = await previews.OpenAsync(caller.Tenant, new DocumentKey(applicationId, documentId), renditionId, options, cancellationToken);
        // Previews show the document's content: the read is recorded before the first page is sent (issue 17); page 1 may be
        // drawing meanwhile (issue 18), and nothing of it leaves before the record is durable.
        await audit.RecordAsync(caller.Tenant, applicationId, Core.Storage.ApplicationEventKind.DocumentRead, request.Name,
            $"Page(s) {PageList(session.Plan.Pages)} were shown as previews to {AuditTrail.Describe(caller.Actor)}.", caller.Actor, caller.TokenId, cancellationToken);
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

    /// <summary>"1–3, 7" for pages 1, 2, 3 and 7.</summary>
    private static string PageList(IEnumerable<int> pages)
    {
        var runs = new List<string>();
        foreach (var page in pages.Order())
        {
            if (runs.Count > 0 && runs[^1].Split('–') is var run && int.Parse(run[^1], System.Globalization.CultureInfo.InvariantCulture) == page - 1)
            {
                runs[^1] = $"{run[0]}–{page}";
            }
            else
            {
                runs.Add(page.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return runs.Count == 0 ? "none" : string.Join(", ", runs);
    }
}
