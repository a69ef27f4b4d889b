using System.Globalization;

namespace DocEngine.Core.Previews;

/// <summary>Image formats previews come in.</summary>
public enum PreviewFormat
{
    /// <summary>PNG: exact, larger.</summary>
    Png,
    /// <summary>JPEG quality 85.</summary>
    Jpeg,
    /// <summary>WebP, lossy quality 80.</summary>
    WebP,
}

/// <summary>What to preview and how.</summary>
/// <param name="Pages">A page list such as "1-3,7"; null or empty for all pages.</param>
/// <param name="Width">Width in pixels; null for the default (or what <paramref name="Dpi"/> gives).</param>
/// <param name="Dpi">Resolution instead of a width; null to use the width.</param>
/// <param name="Format">Image format of the previews.</param>
/// <param name="Password">The PDF's password, when it has one.</param>
/// <param name="ContactSheet">Also make one image with a labelled thumbnail of every page.</param>
public sealed record PreviewRequest(string? Pages = null, int? Width = null, int? Dpi = null, PreviewFormat Format = PreviewFormat.Png,
    string? Password = null, bool ContactSheet = false)
{
    /// <summary>Draw even when the same previews are stored (benchmarks); the server allows it only when configured to.</summary>
    public bool BypassCache { get; init; }

    /// <summary>The part of the request that decides a page's pixels: the cache key of one page.</summary>
    public string PageKey(int page, PreviewOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"preview/v1;page={page};width={(Dpi is null ? Width ?? options.DefaultWidth : 0)};dpi={Dpi};format={Format}");

    /// <summary>Refuses widths and resolutions outside the configured bounds.</summary>
    public void Validate(PreviewOptions options)
    {
        if (Width is { } width && (width < 16 || width > options.MaxWidth))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_WIDTH",
                $"The preview width must be between 16 and {options.MaxWidth} pixels.") { Field = "width" };
        }
        if (Dpi is < 10 or > 600)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_DPI", "The preview dpi must be between 10 and 600, for example 96.") { Field = "dpi" };
        }
    }
}

/// <summary>One rendered page.</summary>
/// <param name="Number">1-based page number.</param>
/// <param name="Width">Pixel width.</param>
/// <param name="Height">Pixel height.</param>
/// <param name="Format">Image format.</param>
/// <param name="Bytes">The encoded image.</param>
public sealed record RenderedPage(int Number, int Width, int Height, PreviewFormat Format, byte[] Bytes);

/// <summary>What a preview run knows before the first page: how many pages there are, which are coming, and warnings.</summary>
public sealed record PreviewPlan(int PageCount, IReadOnlyList<int> Pages, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the PDF is damaged and the previews show what a repairing viewer can still draw.</summary>
    public bool Repaired { get; init; }
}
