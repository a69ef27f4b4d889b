using BenchmarkDotNet.Attributes;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Processing;
using DocEngine.Core.Imaging;
using DocEngine.Core.Previews;

namespace DocEngine.Benchmarks;

/// <summary>
/// Page 1 of a scanned PDF at the service's default width (1000 px PNG): the core's <see cref="PreviewRenderer"/>
/// (plan with the page count, then <c>mutool draw</c> under its limits in a child process, the PNG read back from its
/// stdout) against <c>mutool draw</c> of the same page run directly, the DESIGN.md peer. Needs mutool (mupdf-tools).
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 2, iterationCount: 10)]
public class PreviewBenchmarks
{
    private const int Width = 1000;
    private string _pdf = "";
    private string _scratch = "";
    private PreviewRenderer _renderer = null!;

    /// <summary>Scanned PDFs: a generated 300-dpi scan always, and two real scans from <c>../shared/scans</c> when present.</summary>
    public static IEnumerable<string> Documents()
    {
        if (BenchInputs.Shared("scans") is null)
        {
            BenchInputs.SayGenerated(nameof(PreviewBenchmarks), "a 300-dpi scan");
            return ["generated-scan-1p.pdf"];
        }
        return ["generated-scan-1p.pdf", "ocrmypdf__epson.pdf", "paperless-ngx__many-qr-codes.pdf"];
    }

    /// <summary>The PDF whose page 1 is drawn.</summary>
    [ParamsSource(nameof(Documents))]
    public string Document { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _pdf = Document.StartsWith("generated-", StringComparison.Ordinal) ? BenchInputs.GeneratedScanPdf(1) : BenchInputs.Shared("scans/" + Document)!;
        var options = new PreviewOptions();
        _renderer = new PreviewRenderer(new MutoolRenderer(options), Core.Workers.WorkerPool.InProcess(), new ProcessingOptions(), options);
        if (!_renderer.Mutool.IsAvailable)
        {
            throw new InvalidOperationException("PreviewBenchmarks needs MuPDF's mutool: apt-get install mupdf-tools.");
        }
        _scratch = Directory.CreateTempSubdirectory("docengine-bench-preview").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_scratch, recursive: true);

    /// <summary>The peer: <c>mutool draw -q -w 1000 -F png -o out.png FILE 1</c> as a process.</summary>
    [Benchmark(Baseline = true)]
    public async Task<double> MutoolDrawPage1() =>
        (await VerifyVersusPdfsig.ExecuteAsync("mutool", "draw", "-q", "-w", $"{Width}", "-F", "png", "-o", Path.Combine(_scratch, "page.png"), _pdf, "1")).Milliseconds;

    /// <summary>What RenderPreviews does for page 1 on the stored file, minus gRPC and the rendition cache.</summary>
    [Benchmark]
    public async Task<int> PreviewRendererPage1()
    {
        var request = new PreviewRequest(Pages: "1", Width: Width);
        var plan = await _renderer.PlanAsync(_pdf, Document, request, CancellationToken.None);
        await foreach (var page in _renderer.RenderAsync(_pdf, Document, plan.Pages, request, CancellationToken.None))
        {
            return page.Bytes.Length;
        }
        throw new InvalidOperationException("No page came back.");
    }
}
