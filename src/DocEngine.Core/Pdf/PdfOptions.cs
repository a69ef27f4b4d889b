using DocEngine.Core.Imaging;

namespace DocEngine.Core.Pdf;

/// <summary>
/// How PDFs are inspected and compressed, on top of the image limits their pages' images obey. Bound from
/// <c>DocEngine:Processing</c> (through <see cref="Processing.ProcessingOptions"/>).
/// </summary>
public class PdfOptions : ImagingOptions
{
    /// <summary>Most PDF pages inspected for a text layer. Default 50.</summary>
    public int MaxPdfPagesForText { get; set; } = 50;

    /// <summary>Resolution PDF images are brought down to when compressing without a byte budget. Default 150 (the portals' advice).</summary>
    public int PdfImageDpi { get; set; } = 150;

    /// <summary>JPEG quality of recompressed PDF images when compressing without a byte budget, and the top of the budget ladder. Default 65.</summary>
    public int PdfJpegQuality { get; set; } = 65;

    /// <summary>Legibility floor: a byte budget never takes images below this resolution. Default 100 dpi.</summary>
    public int MinPdfImageDpi { get; set; } = 100;

    /// <summary>Legibility floor: a byte budget never takes JPEG quality below this. Default 40.</summary>
    public int MinPdfJpegQuality { get; set; } = 40;

    /// <summary>Black-and-white images above this resolution are brought down to it (as CCITT Group 4) in every pass. Default 600 dpi.</summary>
    public int PdfBilevelDpi { get; set; } = 600;

    /// <summary>
    /// When a byte budget is not met at the floor of colour and gray images, black-and-white images are tried at 300 dpi
    /// and then at this resolution, before any split. Default 200 dpi.
    /// </summary>
    public int MinPdfBilevelDpi { get; set; } = 200;

    /// <summary>
    /// The legibility check: a black-and-white image brought down, or a halftone made gray, must stay this alike to the
    /// original drawn at 100 dpi (SSIM, a reviewer's screen), or it keeps its resolution and container. Default 0.90
    /// (measured on 400-dpi text pages: 0.95 at 300 dpi, 0.90–0.91 at 200; error-diffused photos as gray JPEG: 0.68–0.73).
    /// </summary>
    public double MinBilevelSimilarity { get; set; } = 0.90;

    /// <summary>qpdf, which packs compressed PDFs' objects into object streams (Debian package qpdf); skipped when missing. Default "qpdf" from PATH.</summary>
    public string QpdfPath { get; set; } = "qpdf";

    /// <summary>Images of one PDF worked on at once. Default: the number of cores.</summary>
    public int PdfImageParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Most pages a PDF may have (a 100,000-page tree is a bomb, not an application). Default 5,000.</summary>
    public int MaxPdfPages { get; set; } = 5_000;

    /// <summary>Most objects a PDF may hold, counting those packed in object streams. Default 1,000,000.</summary>
    public int MaxPdfObjects { get; set; } = 1_000_000;

    /// <summary>Deepest nesting of arrays and dictionaries in one PDF object. Default 256 (PdfPig's own bound).</summary>
    public int MaxPdfNesting { get; set; } = 256;

    /// <summary>
    /// Most bytes a PDF's compressed streams other than images may inflate to, together (content, fonts, object streams,
    /// metadata); images are bounded by <see cref="ImagingOptions.MaxPixels"/> instead. Default 512 MiB.
    /// </summary>
    public long MaxPdfDecompressedBytes { get; set; } = 512L << 20;
}
