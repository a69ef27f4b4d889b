using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;

namespace DocEngine.Core.Processing;

/// <summary>Inspection: detect from the bytes, refuse what is not a document, then read the image or PDF facts (office files: only what they are).</summary>
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
        if (Conversion.OfficeConverter.CanConvert(detection.Kind))
        {
            // Word, OpenDocument, RTF and spreadsheets are not read here: processing converts them to PDF (LibreOffice).
            return new DocumentInfo(detection, content.Length, null, null) { ConvertsToPdf = true };
        }
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
