using BenchmarkDotNet.Attributes;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Processing;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;

namespace DocEngine.Benchmarks;

/// <summary>
/// Making a scanned PDF fit a portal's 4 MB limit in-process, as the server and <c>docengine process --max-bytes 4MB</c>
/// run it (<see cref="PdfCompressor"/>, which runs mutool itself), against the same compressor with default settings
/// and no budget (150 dpi, JPEG quality 65). <c>compress-vs-gs</c> sets both beside Ghostscript. Needs mutool.
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 1, iterationCount: 5)]
public class CompressionBenchmarks
{
    private const long Budget = 4_000_000;
    private string _work = "";
    private string _pdf = "";
    private PdfCompressor _compressor = null!;

    /// <summary>
    /// A scan over 4 MB: the 20-page phone scan <c>compress-vs-gs</c> assembles from <c>../shared/scans</c> (5.6 MB), or
    /// without it a generated 300-dpi scan of as many pages as it takes.
    /// </summary>
    public static IEnumerable<string> Documents()
    {
        if (BenchInputs.Shared("scans") is null)
        {
            BenchInputs.SayGenerated(nameof(CompressionBenchmarks), "a 300-dpi scan");
            return ["generated-scan-4p.pdf"];
        }
        return ["phone-scan-20-pages.pdf"];
    }

    /// <summary>The scanned PDF compressed.</summary>
    [ParamsSource(nameof(Documents))]
    public string Document { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _work = Directory.CreateTempSubdirectory("docengine-bench-compression").FullName;
        _pdf = Document.StartsWith("generated-", StringComparison.Ordinal)
            ? BenchInputs.GeneratedScanPdf(4)
            : CompressVersusGhostscript.PhoneScan(BenchInputs.Shared("scans")!, _work, pages: 20);
        var mutool = new MutoolRenderer(new PreviewOptions());
        if (!mutool.IsAvailable)
        {
            throw new InvalidOperationException("CompressionBenchmarks needs MuPDF's mutool: apt-get install mupdf-tools.");
        }
        _compressor = new PdfCompressor(mutool, new ProcessingOptions());
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_work, recursive: true);

    /// <summary>Default settings, no budget: what every other row is measured against.</summary>
    [Benchmark(Baseline = true)]
    public Task<long> Default() => CompressAsync(new PdfCompressionRequest());

    /// <summary>With a 4 MB budget: the quality ladder, and a split when the legibility floor does not fit.</summary>
    [Benchmark]
    public Task<long> FitTo4MB() => CompressAsync(new PdfCompressionRequest(MaxBytes: Budget));

    private async Task<long> CompressAsync(PdfCompressionRequest request)
    {
        var output = Directory.CreateDirectory(Path.Combine(_work, Guid.NewGuid().ToString("n"))).FullName;
        try
        {
            var result = await _compressor.CompressAsync(_pdf, request, output, CancellationToken.None);
            return result.Parts.Sum(p => p.Bytes);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
