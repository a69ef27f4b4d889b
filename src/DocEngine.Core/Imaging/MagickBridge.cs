using DocEngine.Core.Detection;
using ImageMagick;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Core.Imaging;

/// <summary>
/// ImageMagick, used only where ImageSharp cannot go: decoding HEIC/HEIF, AVIF and JPEG 2000, and converting pixels to
/// sRGB through an embedded (or, for profile-less CMYK, a standard press) ICC profile. The coder is always named
/// explicitly from our own detection, so ImageMagick never guesses a format (and never reaches its riskier coders).
/// Its output is handed to the ImageSharp pipeline.
/// </summary>
internal static class MagickBridge
{
    public static MagickFormat FormatOf(DocumentKind kind) => kind switch
    {
        DocumentKind.Heic => MagickFormat.Heic,
        DocumentKind.Heif => MagickFormat.Heif,
        DocumentKind.Avif => MagickFormat.Avif,
        DocumentKind.Jpeg2000 => MagickFormat.Jp2,
        DocumentKind.Jpeg => MagickFormat.Jpeg,
        DocumentKind.Png => MagickFormat.Png,
        DocumentKind.Tiff => MagickFormat.Tiff,
        DocumentKind.WebP => MagickFormat.WebP,
        DocumentKind.Gif => MagickFormat.Gif,
        DocumentKind.Bmp => MagickFormat.Bmp,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an image kind."),
    };

    /// <summary>Header facts of an image only ImageMagick reads.</summary>
    public static ImageFacts Ping(Stream stream, DocumentKind kind, ImagingConfiguration configuration)
    {
        configuration.EnsureMagickLimits();
        stream.Position = 0;
        using var image = new MagickImage();
        image.Ping(stream, Settings(kind, frame: 0));
        var exif = image.GetExifProfile();
        var density = image.Density.ChangeUnits(DensityUnit.PixelsPerInch);
        return new ImageFacts(
            Width: (int)image.Width,
            Height: (int)image.Height,
            Frames: 1,
            DpiX: density.X > 0 ? density.X : null,
            DpiY: density.Y > 0 ? density.Y : null,
            ColorSpace: image.ColorSpace switch
            {
                ColorSpace.Gray => "Gray",
                ColorSpace.CMYK => "CMYK",
                ColorSpace.YCbCr => "YCbCr",
                _ => "RGB",
            },
            BitsPerPixel: (int)image.Depth * (image.ColorSpace == ColorSpace.Gray ? 1 : 3) + (image.HasAlpha ? (int)image.Depth : 0),
            IccProfile: IccOf(image.GetColorProfile()?.ToByteArray()),
            Orientation: 1, // libheif and OpenJPEG apply any stored transform themselves; EXIF orientation is informative only
            HasGps: exif?.Values.Any(v => v.Tag.ToString().StartsWith("GPS", StringComparison.Ordinal)) ?? false,
            HasCameraInfo: exif?.Values.Any(v => CameraTags.Contains(v.Tag.ToString())) ?? false,
            HasAlpha: image.HasAlpha);
    }

    /// <summary>
    /// Decodes one frame, converting it to sRGB through its colour profile when it has one (or is CMYK). With
    /// <paramref name="jpegSize"/>, a JPEG is decoded by libjpeg's DCT scaling at the smallest of 1/1, 1/2, 1/4 or 1/8
    /// that is still at least that size.
    /// </summary>
    public static Image<Rgba32> Decode(Stream stream, DocumentKind kind, int frame, ImagingConfiguration configuration, (int Width, int Height)? jpegSize = null)
    {
        configuration.EnsureMagickLimits();
        stream.Position = 0;
        var settings = Settings(kind, frame);
        if (jpegSize is { } size)
        {
            settings.SetDefine(MagickFormat.Jpeg, "size", $"{size.Width}x{size.Height}");
        }
        using var image = new MagickImage(stream, settings);
        if (image.ColorSpace == ColorSpace.CMYK && image.GetColorProfile() is null)
        {
            image.TransformColorSpace(ColorProfiles.USWebCoatedSWOP, ColorProfiles.SRGB);
        }
        else if (image.GetColorProfile() is not null)
        {
            image.TransformColorSpace(ColorProfiles.SRGB);
        }
        else if (image.ColorSpace != ColorSpace.sRGB && image.ColorSpace != ColorSpace.Gray)
        {
            image.ColorSpace = ColorSpace.sRGB;
        }
        image.Depth = 8;
        var width = (int)image.Width;
        var height = (int)image.Height;
        using var pixels = image.GetPixelsUnsafe();
        var rgba = pixels.ToByteArray(0, 0, (uint)width, (uint)height, image.HasAlpha ? PixelMapping.RGBA : PixelMapping.RGB)
            ?? throw new InvalidOperationException("ImageMagick returned no pixels.");
        if (image.HasAlpha)
        {
            return Image.LoadPixelData<Rgba32>(rgba, width, height);
        }
        using var rgb = Image.LoadPixelData<Rgb24>(rgba, width, height);
        return rgb.CloneAs<Rgba32>();
    }

    /// <summary>Whether an ICC profile (its bytes) is sRGB, another profile, or absent.</summary>
    public static IccKind IccOf(byte[]? profile)
    {
        if (profile is null || profile.Length == 0)
        {
            return IccKind.None;
        }
        // The profile description ('desc') of every common sRGB profile names it; other profiles are converted through.
        return profile.AsSpan().IndexOf("sRGB"u8) >= 0 || profile.AsSpan().IndexOf("s\0R\0G\0B"u8) >= 0 ? IccKind.Srgb : IccKind.Other;
    }

    private static MagickReadSettings Settings(DocumentKind kind, int frame) => new()
    {
        Format = FormatOf(kind),
        FrameIndex = (uint)frame,
        FrameCount = 1,
    };

    private static readonly HashSet<string> CameraTags =
        ["Make", "Model", "SerialNumber", "BodySerialNumber", "LensMake", "LensModel", "LensSerialNumber", "MakerNote", "CameraOwnerName"];
}
