using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Imaging;

/// <summary>The pixel steps of normalization, each saying what it did in a sentence for the report.</summary>
internal static class ImageNormalizer
{
    /// <summary>Turns the image upright per its EXIF/TIFF orientation (1–8), after which it carries none.</summary>
    public static void Orient(Image<Rgba32> image, int orientation, List<string> actions)
    {
        if (orientation is < 2 or > 8)
        {
            return;
        }
        image.Mutate(x =>
        {
            switch (orientation)
            {
                case 2: x.Flip(FlipMode.Horizontal); break;
                case 3: x.Rotate(RotateMode.Rotate180); break;
                case 4: x.Flip(FlipMode.Vertical); break;
                case 5: x.Rotate(RotateMode.Rotate90).Flip(FlipMode.Horizontal); break; // transpose
                case 6: x.Rotate(RotateMode.Rotate90); break;
                case 7: x.Rotate(RotateMode.Rotate270).Flip(FlipMode.Horizontal); break; // transverse
                default: x.Rotate(RotateMode.Rotate270); break;
            }
        });
        actions.Add($"Turned the image upright: it was stored {Describe(orientation)} (orientation tag {orientation}).");
    }

    /// <summary>Converts to grayscale (ITU-R BT.709 luminance).</summary>
    public static void ToGray(Image<Rgba32> image, List<string> actions)
    {
        image.Mutate(x => x.Grayscale());
        actions.Add("Converted to grayscale.");
    }

    /// <summary>
    /// Downscales to at most <paramref name="maxEdge"/> pixels on the long side and at most <paramref name="targetDpi"/>
    /// at the given physical resolution (when known); never upscales. Returns the resolution of the result.
    /// </summary>
    public static double? Resize(Image<Rgba32> image, double? dpi, int? maxEdge, int? targetDpi, List<string> actions)
    {
        var scale = 1.0;
        if (maxEdge is > 0)
        {
            scale = Math.Min(scale, (double)maxEdge.Value / Math.Max(image.Width, image.Height));
        }
        if (targetDpi is > 0 && dpi is > 0)
        {
            scale = Math.Min(scale, targetDpi.Value / dpi.Value);
        }
        if (scale >= 1)
        {
            return dpi;
        }
        var (width, height) = (Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
        actions.Add(dpi is { } known
            ? string.Create(CultureInfo.InvariantCulture, $"Reduced from {image.Width} × {image.Height} to {width} × {height} pixels ({known:0} to {known * scale:0} dpi).")
            : string.Create(CultureInfo.InvariantCulture, $"Reduced from {image.Width} × {image.Height} to {width} × {height} pixels."));
        image.Mutate(x => x.Resize(width, height, KnownResamplers.Bicubic));
        return dpi * scale;
    }

    /// <summary>Drops every profile and text chunk (EXIF with GPS and camera serials, XMP, IPTC, ICC), keeping only the resolution.</summary>
    public static void StripMetadata(Image<Rgba32> image, double? dpi)
    {
        foreach (var frame in image.Frames)
        {
            frame.Metadata.ExifProfile = null;
            frame.Metadata.XmpProfile = null;
            frame.Metadata.IccProfile = null;
            frame.Metadata.IptcProfile = null;
        }
        image.Metadata.ExifProfile = null;
        image.Metadata.XmpProfile = null;
        image.Metadata.IccProfile = null;
        image.Metadata.IptcProfile = null;
        image.Metadata.GetPngMetadata().TextData.Clear();
        image.Metadata.ResolutionUnits = PixelResolutionUnit.PixelsPerInch;
        image.Metadata.HorizontalResolution = Math.Round(dpi ?? 72, 2); // 72 is what "not stated" means to most viewers
        image.Metadata.VerticalResolution = Math.Round(dpi ?? 72, 2);
    }

    private static string Describe(int orientation) => orientation switch
    {
        2 => "mirrored left to right",
        3 => "upside down",
        4 => "mirrored top to bottom",
        5 => "mirrored and turned a quarter left",
        6 => "turned a quarter left",
        7 => "mirrored and turned a quarter right",
        _ => "turned a quarter right",
    };
}
