using DocEngine.Core.Mupdf;

namespace DocEngine.Core.Previews;

/// <summary>
/// Previews: PDF pages are rendered by MuPDF's <c>mutool draw</c> in child processes under hard limits (the
/// <see cref="MutoolOptions"/> this extends); images go through the image pipeline.
/// </summary>
public sealed class PreviewOptions : MutoolOptions
{
    /// <summary>Pages one renderer process draws in a row; page 1 always gets a process of its own, to come back first. Default 8.</summary>
    public int PagesPerProcess { get; set; } = 8;

    /// <summary>Preview width when the caller gives neither width nor dpi. Default 1000 pixels.</summary>
    public int DefaultWidth { get; set; } = 1000;

    /// <summary>Largest width (or dpi-derived width) a caller may ask for. Default 4000 pixels.</summary>
    public int MaxWidth { get; set; } = 4000;

    /// <summary>Thumbnail width on the contact sheet. Default 240 pixels.</summary>
    public int ContactSheetThumbnailWidth { get; set; } = 240;

    /// <summary>The refusal when a file's previews run past <see cref="MutoolOptions.MaxDocumentTime"/>.</summary>
    public DocEngineException TimedOut() => new(ErrorKind.ResourceExhausted, "PREVIEW_TIMEOUT",
        $"The previews took longer than {MaxDocumentTime.TotalSeconds:0} seconds and were stopped: ask for fewer pages or a smaller width.");
}
