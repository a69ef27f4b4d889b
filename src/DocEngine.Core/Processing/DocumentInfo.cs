using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;

namespace DocEngine.Core.Processing;

/// <summary>Everything inspection learns about one file: what it really is, and its image or PDF facts.</summary>
/// <param name="Detection">The kind from the bytes, and whether the name agrees.</param>
/// <param name="SizeBytes">File size.</param>
/// <param name="Image">For images: header facts, checked by decoding every frame.</param>
/// <param name="Pdf">For PDFs: structure facts.</param>
public sealed record DocumentInfo(Detection.DetectedType Detection, long SizeBytes, ImageFacts? Image, PdfFacts? Pdf)
{
    /// <summary>An office document (Word, OpenDocument, RTF, spreadsheet) that processing converts to PDF.</summary>
    public bool ConvertsToPdf { get; init; }
}
