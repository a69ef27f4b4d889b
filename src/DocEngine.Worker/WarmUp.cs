using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Worker;

/// <summary>
/// What a fresh worker does before it says it is ready: the common paths once each on tiny documents of its own (a
/// PNG, a JPEG, a PDF: inspect, normalize, verify), so the just-in-time compiler has compiled them before an
/// applicant's document is on the clock. Measured in benchmarks/README.md.
/// </summary>
internal static class WarmUp
{
    public static void Run(WorkerContext context)
    {
        var options = new ProcessingOptions();
        var inspector = context.Shared(options, () => new DocumentInspector(new Core.Imaging.ImagingConfiguration(options), options));
        var processor = context.Shared(options, () => new DocumentProcessor(new Core.Imaging.ImagingConfiguration(options)));
        using var image = new Image<Rgb24>(64, 48);
        foreach (var (bytes, name) in new[] { (Encode(image, png: true), "warm.png"), (Encode(image, png: false), "warm.jpg") })
        {
            inspector.Inspect(new MemoryStream(bytes), name, null, CancellationToken.None);
            processor.Process([new ProcessingInput(new MemoryStream(bytes), name)], new ProcessingRequest(), new MemoryStream(), CancellationToken.None);
        }
        var pdf = new MemoryStream();
        processor.Process([new ProcessingInput(new MemoryStream(Encode(image, png: false)), "warm.jpg")], new ProcessingRequest(OutputFormat.Pdf), pdf, CancellationToken.None);
        inspector.Inspect(new MemoryStream(pdf.ToArray()), "warm.pdf", null, CancellationToken.None);
        new SignatureVerifier(new SignatureOptions(), TrustAnchors.None).VerifyPdfAsync(pdf.ToArray(), null, null, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static byte[] Encode(Image image, bool png)
    {
        using var stream = new MemoryStream();
        if (png)
        {
            image.SaveAsPng(stream);
        }
        else
        {
            image.SaveAsJpeg(stream);
        }
        return stream.ToArray();
    }
}
