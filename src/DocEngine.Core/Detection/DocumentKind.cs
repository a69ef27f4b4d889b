namespace DocEngine.Core.Detection;

/// <summary>What a file really is, decided from its bytes.</summary>
public enum DocumentKind
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>Zero bytes.</summary>
    Empty,
    /// <summary>PDF.</summary>
    Pdf,
    /// <summary>JPEG.</summary>
    Jpeg,
    /// <summary>PNG.</summary>
    Png,
    /// <summary>GIF.</summary>
    Gif,
    /// <summary>Windows bitmap.</summary>
    Bmp,
    /// <summary>TIFF, possibly multi-page.</summary>
    Tiff,
    /// <summary>WebP.</summary>
    WebP,
    /// <summary>HEIC (HEVC in HEIF), as iPhones write.</summary>
    Heic,
    /// <summary>Other HEIF.</summary>
    Heif,
    /// <summary>AVIF.</summary>
    Avif,
    /// <summary>JPEG 2000 (JP2 file or raw codestream).</summary>
    Jpeg2000,
    /// <summary>Word 97–2003 (.doc) or another OLE2 Office file.</summary>
    LegacyOffice,
    /// <summary>Word .docx.</summary>
    WordDocx,
    /// <summary>Excel .xlsx.</summary>
    ExcelXlsx,
    /// <summary>PowerPoint .pptx.</summary>
    PowerPointPptx,
    /// <summary>OpenDocument (.odt, .ods, .odp).</summary>
    OpenDocument,
    /// <summary>Rich Text Format.</summary>
    Rtf,
    /// <summary>Any other ZIP archive.</summary>
    Zip,
    /// <summary>An HTML page.</summary>
    Html,
    /// <summary>A program: Windows, Linux or macOS executable, or a script.</summary>
    Executable,
}

/// <summary>The outcome of detection: the kind, its media type, and whether the file name agrees.</summary>
/// <param name="Kind">What the bytes are.</param>
/// <param name="MediaType">The IANA media type of that kind.</param>
/// <param name="Description">A short human name, e.g. "a Word document (.docx)".</param>
/// <param name="NameMismatch">A sentence when the file name's extension says something else; null when they agree or there is no extension.</param>
public sealed record DetectedType(DocumentKind Kind, string MediaType, string Description, string? NameMismatch)
{
    /// <summary>True for kinds DocEngine can inspect and process: PDFs and images.</summary>
    public bool IsSupported => Kind is >= DocumentKind.Pdf and <= DocumentKind.Jpeg2000;

    /// <summary>True for images (everything supported except PDF).</summary>
    public bool IsImage => Kind is >= DocumentKind.Jpeg and <= DocumentKind.Jpeg2000;
}
