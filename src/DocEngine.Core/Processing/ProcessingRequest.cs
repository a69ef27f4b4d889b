using System.Globalization;

namespace DocEngine.Core.Processing;

/// <summary>The output DocEngine makes of images.</summary>
public enum OutputFormat
{
    /// <summary>JPEG stays JPEG and PNG stays PNG; other images become JPEG (photos) or PNG (line art, screenshots, transparency).</summary>
    Keep,
    /// <summary>JPEG.</summary>
    Jpeg,
    /// <summary>PNG.</summary>
    Png,
    /// <summary>A PDF with one page per image or frame, each at its physical size.</summary>
    Pdf,
}

/// <summary>How to normalize: output format, downscaling targets and grayscale. Orientation, sRGB and metadata removal always happen.</summary>
/// <param name="Format">Output format; default <see cref="OutputFormat.Keep"/>.</param>
/// <param name="TargetDpi">Downscale to at most this resolution (never upscale); null keeps it.</param>
/// <param name="MaxEdge">Downscale so the long side is at most this many pixels; null keeps it.</param>
/// <param name="Gray">Convert to grayscale.</param>
public sealed record ProcessingRequest(OutputFormat Format = OutputFormat.Keep, int? TargetDpi = null, int? MaxEdge = null, bool Gray = false)
{
    /// <summary>PDFs (and office documents converted to PDF): add a searchable text layer to pages without text. Default false.</summary>
    public bool Ocr { get; init; }

    /// <summary>PDFs (and office documents converted to PDF): make the result a checked PDF/A-2b archival copy. Default false.</summary>
    public bool Archive { get; init; }

    /// <summary>A stable text form of the options, part of a rendition's key (OCR and archive named only when asked, so older keys stay).</summary>
    public string CanonicalKey(int jpegQuality) => string.Create(CultureInfo.InvariantCulture,
        $"process/v1;format={Format};dpi={TargetDpi};edge={MaxEdge};gray={Gray};q={jpegQuality}")
        + (Ocr ? ";ocr" : "") + (Archive ? ";pdfa2b" : "");

    /// <summary>Refuses out-of-range options with the field at fault.</summary>
    public void Validate()
    {
        if (TargetDpi is < 10 or > 2400)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_DPI", "The target dpi must be between 10 and 2400, for example 150.") { Field = "dpi" };
        }
        if (MaxEdge is < 16 or > 100_000)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_MAX_EDGE", "The maximum edge must be between 16 and 100000 pixels, for example 1600.") { Field = "max_edge" };
        }
    }
}

/// <summary>What processing produced and did.</summary>
/// <param name="MediaType">Media type of the output.</param>
/// <param name="Extension">File extension for it, with the dot.</param>
/// <param name="Pages">Pages (PDF) or 1.</param>
/// <param name="Width">Pixel width of the (first) output image.</param>
/// <param name="Height">Pixel height of the (first) output image.</param>
/// <param name="Report">Bytes before and after, and every action taken.</param>
public sealed record ProcessingOutcome(string MediaType, string Extension, int Pages, int Width, int Height, ProcessingReport Report);

/// <summary>One input file: seekable content and the name it came with (a label).</summary>
public sealed record ProcessingInput(Stream Content, string? FileName);
