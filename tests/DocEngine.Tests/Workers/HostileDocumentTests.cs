using System.Diagnostics;
using DocEngine.Contract.V1;
using DocEngine.Core.Workers;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Previews;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DocEngine.Tests.Workers;

/// <summary>The server with the workers' test faults on, a 15-second processing limit and a small worker heap (160 MiB).</summary>
public sealed class HostileFactory() : DocEngineFactory(new Dictionary<string, string?>
{
    ["DocEngine:Workers:TestFaults"] = "true",
    ["DocEngine:Workers:Count"] = "2",
    ["DocEngine:Workers:HeapLimitMegabytes"] = "160",
    ["DocEngine:Processing:MaxProcessingTime"] = "00:00:15",
});

/// <summary>
/// Hostile documents through every RPC that reads them, on a real server: each is refused with a status and a
/// sentence, the worker that choked is replaced, and other calls on the same node complete meanwhile.
/// </summary>
public sealed class HostileDocumentTests(HostileFactory factory) : IClassFixture<HostileFactory>
{
    public static TheoryData<string> NestedPdfs => ["array", "dictionary"];

    [SkippableTheory]
    [MemberData(nameof(NestedPdfs))]
    public async Task A_pdf_nested_200000_deep_is_refused_with_a_sentence_by_every_rpc_and_the_server_keeps_serving(string through)
    {
        Renderer.Create();
        var invoker = factory.Invoker();
        var pdf = await Clients.UploadStreamingAsync(invoker, through == "array" ? HostileFiles.NestedArrayPdf() : HostileFiles.NestedDictionaryPdf(), filename: "form.pdf");
        var processing = new ProcessingService.ProcessingServiceClient(invoker);

        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "PDF_TOO_DEEPLY_NESTED",
            async () => await processing.InspectDocumentAsync(new InspectDocumentRequest { Name = pdf.Name }));
        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "PDF_TOO_DEEPLY_NESTED",
            async () => await processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { pdf.Name }, Options = new ProcessingOptions { MaxBytes = 4_000_000 } }));
        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "PDF_TOO_DEEPLY_NESTED",
            async () => await Clients.ReadAllAsync(new PreviewService.PreviewServiceClient(invoker).RenderPreviews(new RenderPreviewsRequest { Name = pdf.Name }).ResponseStream));
        var verify = await Assert.ThrowsAsync<RpcException>(async () =>
            await new SignatureService.SignatureServiceClient(invoker).VerifySignaturesAsync(new VerifySignaturesRequest { Name = pdf.Name }));
        Assert.Contains(verify.StatusCode, new[] { StatusCode.InvalidArgument, StatusCode.ResourceExhausted });
        Assert.EndsWith(".", verify.Status.Detail);
        var receipt = (await new ReceiptService.ReceiptServiceClient(invoker).GetReceiptAsync(new GetReceiptRequest { Name = pdf.Name })).Receipt;
        Assert.False(string.IsNullOrEmpty(receipt.Jws)); // the receipt still proves what arrived

        await AssertServesAsync(invoker);
    }

    [SkippableFact]
    public async Task A_decoder_that_hangs_answers_within_the_limit_while_an_upload_and_a_preview_on_the_node_complete()
    {
        Renderer.Create();
        var invoker = factory.Invoker();
        var processing = new ProcessingService.ProcessingServiceClient(invoker);
        var hanging = await Clients.UploadStreamingAsync(invoker, HostileFiles.FaultPng("hang"), filename: "photo.png");
        // The upload's receipt reads the same file in a worker of its own (which hangs until the limit): let that settle
        // first, so the one hung worker below is the processing call's and the other worker is free for the preview.
        var receipt = (await new ReceiptService.ReceiptServiceClient(invoker).GetReceiptAsync(new GetReceiptRequest { Name = hanging.Name })).Receipt;
        Assert.False(string.IsNullOrEmpty(receipt.Jws));
        var replaced = factory.Services.GetRequiredService<WorkerPool>().Counts.Replaced;
        await factory.Services.GetRequiredService<WorkerPool>().WaitUntilWarmAsync(CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var refused = Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "PROCESSING_TIMEOUT",
            async () => await processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { hanging.Name } }));
        await Task.Delay(500); // the worker is spinning now
        var good = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "form.pdf");
        var pages = await Clients.ReadAllAsync(new PreviewService.PreviewServiceClient(invoker).RenderPreviews(new RenderPreviewsRequest { Name = good.Name, Width = 300 }).ResponseStream);
        var servedWhileHung = !refused.IsCompleted;
        await refused;

        Assert.Contains(pages, p => p.KindCase == RenderPreviewsResponse.KindOneofCase.Page);
        Assert.True(servedWhileHung, "the preview waited for the hung worker");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(40));
        Assert.True(factory.Services.GetRequiredService<WorkerPool>().Counts.Replaced > replaced);
        await AssertServesAsync(invoker);
    }

    [Fact]
    public async Task A_decoder_that_allocates_without_end_is_resource_exhausted_and_the_server_memory_stays_bounded()
    {
        var invoker = factory.Invoker();
        var hungry = await Clients.UploadStreamingAsync(invoker, HostileFiles.FaultPng("allocate"), filename: "photo.png");
        using var self = Process.GetCurrentProcess();
        var before = self.WorkingSet64;

        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "DOCUMENT_TOO_LARGE_IN_MEMORY",
            async () => await new ProcessingService.ProcessingServiceClient(invoker).InspectDocumentAsync(new InspectDocumentRequest { Name = hungry.Name }));

        self.Refresh();
        Assert.True(self.WorkingSet64 - before < 256L << 20, $"the server grew by {(self.WorkingSet64 - before) >> 20} MiB while a worker filled 160 MiB");
        await AssertServesAsync(invoker);
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_mid_job_gives_the_call_a_clear_status_and_the_pool_recovers()
    {
        var invoker = factory.Invoker();
        var hanging = await Clients.UploadStreamingAsync(invoker, HostileFiles.FaultPng("hang"), filename: "photo.png");
        // The upload's receipt reads the same file in a worker of its own (which spins until the limit): let it settle
        // first, so the one spinning worker below is the inspect call's and killing it is what the call sees.
        var receipt = (await new ReceiptService.ReceiptServiceClient(invoker).GetReceiptAsync(new GetReceiptRequest { Name = hanging.Name })).Receipt;
        Assert.False(string.IsNullOrEmpty(receipt.Jws));
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        await pool.WaitUntilWarmAsync(CancellationToken.None);
        var idle = pool.ProcessIds.ToHashSet();

        var call = Clients.AssertRefusedAsync(StatusCode.Aborted, "WORKER_LOST",
            async () => await new ProcessingService.ProcessingServiceClient(invoker).InspectDocumentAsync(new InspectDocumentRequest { Name = hanging.Name }));
        // The worker that took the call's job, once it has spun a little (it decodes, not just reads the request). The
        // pool names it: picking the worker by CPU use alone once killed another one (a CI run saw the call end otherwise).
        var busy = 0;
        var start = new Dictionary<int, long>();
        while (busy == 0 && !call.IsCompleted)
        {
            await Task.Delay(100);
            foreach (var pid in pool.BusyProcessIds.Where(idle.Contains))
            {
                start.TryAdd(pid, Ticks(pid));
                busy = Ticks(pid) - start[pid] >= 5 ? pid : busy;
            }
        }
        Assert.True(busy != 0, "the call ended before its worker was seen running it");
        Process.GetProcessById(busy).Kill(); // SIGKILL

        await call;
        Assert.DoesNotContain(busy, pool.ProcessIds);
        await AssertServesAsync(invoker);
        Assert.NotEmpty(idle);
    }

    private static long Ticks(int pid)
    {
        if (!File.Exists($"/proc/{pid}/stat"))
        {
            return 0;
        }
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    /// <summary>The node still takes an upload and inspects it.</summary>
    private static async Task AssertServesAsync(CallInvoker invoker)
    {
        var document = await Clients.UploadStreamingAsync(invoker, PreviewRenderingTests.SimplePdf(rotate: 0), filename: "after.pdf");
        var info = (await new ProcessingService.ProcessingServiceClient(invoker).InspectDocumentAsync(new InspectDocumentRequest { Name = document.Name })).Info;
        Assert.Equal(1, info.Pdf.Pages);
    }
}
