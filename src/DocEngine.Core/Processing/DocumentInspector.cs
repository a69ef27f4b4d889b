using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;

namespace DocEngine.Core.Processing;

/// <summary>Inspection: detect from the bytes, refuse what is not a document, then read the image or PDF facts.</summary>
public sealed class DocumentInspector(ImagingConfiguration configuration, PdfOptions pdf)
{
    private readonly ImageSource _images = new(configuration);

    /// <summary>
    /// Inspects seekable <paramref name="content"/>. Images are decoded frame by frame to prove they are readable
    /// (damaged or truncated files are refused); password-protected PDFs are reported as such.
    /// </summary>
    public DocumentInfo Inspect(Stream content, string? fileName, string? password, CancellationToken cancellationToken)
    {
        var detection = ContentDetector.Detect(content, fileName);
        Refusals.ThrowIfUnsupported(detection);
        if (detection.Kind == DocumentKind.Pdf)
        {
            return new DocumentInfo(detection, content.Length, null, PdfInspector.Inspect(content, password, pdf));
        }
        var facts = _images.Inspect(content, detection);
        foreach (var frame in _images.Decode(content, detection, facts, _ => { }))
        {
            frame.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }
        return new DocumentInfo(detection, content.Length, facts, null);
    }
}
