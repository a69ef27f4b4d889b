using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using ProcessingOptions = DocEngine.Contract.V1.ProcessingOptions;

namespace DocEngine.Tests.Processing;

/// <summary>The server with DocEngine:Bench:AllowCacheBypass on, as in Development.</summary>
public sealed class CacheBypassFactory() : DocEngineFactory(new Dictionary<string, string?> { ["DocEngine:Bench:AllowCacheBypass"] = "true" });

/// <summary>bypass_cache makes a request do the work again (benchmarks measure work, not the cache); only where the server allows it.</summary>
public sealed class CacheBypassTests(CacheBypassFactory factory) : IClassFixture<CacheBypassFactory>
{
    [Fact]
    public async Task A_bypassing_request_redoes_the_work_and_an_ordinary_one_reuses_the_stored_result()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), ProcessingServiceTests.Photo(900, 700), filename: "id.jpg");
        var processing = new ProcessingService.ProcessingServiceClient(factory.Invoker());
        var request = new ProcessDocumentRequest { Documents = { document.Name }, Options = new ProcessingOptions { Format = OutputFormat.Png, MaxEdge = 500 } };

        var first = (await processing.ProcessDocumentAsync(request)).Rendition;
        var blob = Path.Combine(factory.DataDirectory, "blobs", "sha256", first.Sha256[..2], first.Sha256[2..4], first.Sha256);
        var written = File.GetLastWriteTimeUtc(blob);
        await Task.Delay(50);
        var cached = (await processing.ProcessDocumentAsync(request)).Rendition;
        var cachedWrite = File.GetLastWriteTimeUtc(blob);
        request.BypassCache = true;
        var redone = (await processing.ProcessDocumentAsync(request)).Rendition;

        Assert.Equal(written, cachedWrite); // the stored result, nothing processed
        Assert.True(File.GetLastWriteTimeUtc(blob) > written, "the bypassing request processed the image again and stored its output anew");
        Assert.Equal((first.Name, first.Sha256), (redone.Name, redone.Sha256)); // the same result, deterministically
        Assert.Equal(first.Sha256, cached.Sha256);
    }
}

/// <summary>Outside Development the bypass is refused with a sentence.</summary>
public sealed class CacheBypassRefusedTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task A_bypass_on_a_server_that_does_not_allow_it_is_failed_precondition()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), ProcessingServiceTests.Photo(300, 200), filename: "id.jpg");

        await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "CACHE_BYPASS_NOT_ALLOWED", () => new ProcessingService.ProcessingServiceClient(factory.Invoker())
            .ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { document.Name }, BypassCache = true }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "CACHE_BYPASS_NOT_ALLOWED", async () =>
        {
            using var call = new PreviewService.PreviewServiceClient(factory.Invoker()).RenderPreviews(new RenderPreviewsRequest { Name = document.Name, BypassCache = true });
            await call.ResponseStream.MoveNext();
        });
    }
}
