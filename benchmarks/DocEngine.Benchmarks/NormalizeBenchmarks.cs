using BenchmarkDotNet.Attributes;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Benchmarks;

/// <summary>
/// Normalizing a 12-MP phone JPEG to a 1600-px JPEG and to a PDF page (DocumentProcessor: detection, header checks,
/// orientation, metadata removal, resize, encode), against the bare ImageSharp decode-resize-encode it is built on.
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 2, iterationCount: 10)]
public class NormalizeBenchmarks
{
    private byte[] _photo = [];
    private DocumentProcessor _processor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _photo = File.ReadAllBytes(PhotoInput.Path12Megapixel());
        _processor = new DocumentProcessor(new ImagingConfiguration(new ProcessingOptions()));
    }

    /// <summary>The floor: ImageSharp decode, resize to 1600 px, JPEG q85.</summary>
    [Benchmark(Baseline = true)]
    public long ImageSharpDecodeResizeEncode()
    {
        using var image = Image.Load<Rgba32>(_photo);
        image.Mutate(x => x.Resize(1600, 1200, KnownResamplers.Bicubic));
        using var output = new MemoryStream();
        image.SaveAsJpeg(output, new JpegEncoder { Quality = 85 });
        return output.Length;
    }

    [Benchmark]
    public long ToJpeg1600() => Run(new ProcessingRequest(OutputFormat.Jpeg, MaxEdge: 1600));

    [Benchmark]
    public long ToPdfPage1600() => Run(new ProcessingRequest(OutputFormat.Pdf, MaxEdge: 1600));

    private long Run(ProcessingRequest request)
    {
        using var output = new MemoryStream();
        _processor.Process([new ProcessingInput(new MemoryStream(_photo), "photo.jpg")], request, output, CancellationToken.None);
        return output.Length;
    }
}
