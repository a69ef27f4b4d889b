using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace DocEngine.Tests.Previews;

/// <summary>RenderPreviews over gRPC and gRPC-Web: summary, pages in order, stored renditions reused without drawing again.</summary>
public sealed class PreviewServiceTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [SkippableFact]
    public async Task Previews_stream_in_order_are_stored_and_come_back_from_storage_without_drawing()
    {
        Renderer.Create(); // skips loudly without mutool
        var invoker = factory.Invoker();
        var pdf = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "form.pdf");
        var renderer = factory.Services.GetRequiredService<DocEngine.Core.Previews.PreviewService>().Mutool;
        var request = new RenderPreviewsRequest { Name = pdf.Name, Width = 500, ContactSheet = true };

        var first = await RenderAsync(invoker, request);
        var started = renderer.ProcessesStarted;
        var second = await RenderAsync(invoker, request);

        Assert.Equal(RenderPreviewsResponse.KindOneofCase.Summary, first[0].KindCase);
        Assert.Equal(1, first[0].Summary.PageCount);
        var page = Assert.Single(first, m => m.KindCase == RenderPreviewsResponse.KindOneofCase.Page).Page;
        Assert.Equal((1, 500, 648), (page.PageNumber, page.Width, page.Height)); // 792/612 × 500, rounded up as MuPDF does
        Assert.False(PreviewRenderingTests.IsBlank(page.Data.ToByteArray()));
        Assert.Equal(RenderPreviewsResponse.KindOneofCase.ContactSheet, first[^1].KindCase);
        Assert.Equal(started, renderer.ProcessesStarted); // the second time, nothing was drawn
        Assert.Equal(first.Select(m => m.Page?.Rendition), second.Select(m => m.Page?.Rendition));
        Assert.Equal(page.Data, second.Single(m => m.KindCase == RenderPreviewsResponse.KindOneofCase.Page).Page.Data);
        Assert.Equal(page.Data.ToByteArray(), await Clients.DownloadAsync(invoker, page.Rendition));
    }

    [SkippableFact]
    public async Task Image_previews_stream_over_grpc_web_in_the_asked_format()
    {
        Renderer.Create();
        var invoker = factory.Invoker(grpcWeb: true);
        var photo = await Clients.UploadUnaryAsync(invoker, Processing.ProcessingServiceTests.Photo(1200, 900));

        var messages = await RenderAsync(invoker, new RenderPreviewsRequest { Name = photo.Name, Width = 400, Format = PreviewFormat.Jpeg });

        var page = messages.Single(m => m.KindCase == RenderPreviewsResponse.KindOneofCase.Page).Page;
        Assert.Equal((400, 300, PreviewFormat.Jpeg), (page.Width, page.Height, page.Format));
        Assert.Equal(0xFF, page.Data[0]);
    }

    [SkippableFact]
    public async Task Preview_refusals_are_precise()
    {
        Renderer.Create();
        var invoker = factory.Invoker();
        var pdf = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "a.pdf");

        await Clients.AssertRefusedAsync(StatusCode.OutOfRange, "PAGE_OUT_OF_RANGE", () => RenderAsync(invoker, new RenderPreviewsRequest { Name = pdf.Name, Pages = "2" }));
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "INVALID_WIDTH", () => RenderAsync(invoker, new RenderPreviewsRequest { Name = pdf.Name, Width = 99_999 }));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => RenderAsync(factory.Invoker(DocEngineFactory.KeyB), new RenderPreviewsRequest { Name = pdf.Name }));
    }

    [SkippableFact]
    public async Task Page_1_drawn_while_the_plan_is_read_is_used_and_a_refused_plan_leaves_no_renderer_running()
    {
        Renderer.Create();
        var invoker = factory.Invoker();
        var renderer = factory.Services.GetRequiredService<DocEngine.Core.Previews.PreviewService>().Mutool;
        var pdf = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "early.pdf");
        var locked = await Clients.UploadStreamingAsync(invoker,
            Infrastructure.SignedPdfs.EncryptedSignedPdf.Encrypt(Infrastructure.SignedPdfs.FormPdf.Create().Bytes), filename: "locked.pdf");

        var before = renderer.ProcessesStarted;
        var messages = await RenderAsync(invoker, new RenderPreviewsRequest { Name = pdf.Name, Width = 300 });
        var drawn = renderer.ProcessesStarted - before;
        await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "PASSWORD_REQUIRED", () => RenderAsync(invoker, new RenderPreviewsRequest { Name = locked.Name, Width = 300 }));

        Assert.Equal(300, messages.Single(m => m.KindCase == RenderPreviewsResponse.KindOneofCase.Page).Page.Width);
        Assert.Equal(1, drawn); // the page started ahead of the plan, not drawn a second time
        Assert.Equal(0, renderer.Slots.Busy); // the locked file's early page was stopped before the refusal was sent
    }

    internal static async Task<List<RenderPreviewsResponse>> RenderAsync(CallInvoker invoker, RenderPreviewsRequest request)
    {
        using var call = new PreviewService.PreviewServiceClient(invoker).RenderPreviews(request);
        return await Clients.ReadAllAsync(call.ResponseStream);
    }
}

/// <summary>Without mutool the previews say so: their own health name is NOT_SERVING and calls get the install hint.</summary>
public sealed class MissingRendererTests(MissingRendererFactory factory) : IClassFixture<MissingRendererFactory>
{
    [Fact]
    public async Task Previews_report_not_serving_and_refuse_with_the_install_hint_while_the_server_stays_serving()
    {
        var health = new Health.HealthClient(factory.Invoker(apiKey: null));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "docengine.previews" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);

        var invoker = factory.Invoker();
        var pdf = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "a.pdf");
        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "RENDERER_MISSING",
            () => PreviewServiceTests.RenderAsync(invoker, new RenderPreviewsRequest { Name = pdf.Name }));
        Assert.NotNull(info);
        var error = await Assert.ThrowsAsync<RpcException>(() => PreviewServiceTests.RenderAsync(invoker, new RenderPreviewsRequest { Name = pdf.Name }));
        Assert.Contains("apt-get install mupdf-tools", error.Status.Detail, StringComparison.Ordinal);
    }
}
