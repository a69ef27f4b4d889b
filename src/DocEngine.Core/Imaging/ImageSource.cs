using DocEngine.Core.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Core.Imaging;

/// <summary>
/// Reads images: their facts from the headers (sizes are checked against the limits before any pixel is decoded),
/// then their frames one at a time. ImageSharp decodes JPEG, PNG, GIF, BMP, TIFF and WebP; ImageMagick decodes HEIC/HEIF,
/// AVIF and JPEG 2000, converts images with a non-sRGB colour profile (or CMYK), and takes the first frame of an
/// animated WebP. Damaged files become a sentence, never a crash.
/// </summary>
public sealed class ImageSource(ImagingConfiguration configuration)
{
    /// <summary>The facts in an image's headers. Throws a refusal when the file is damaged or over the limits.</summary>
    public ImageFacts Inspect(Stream stream, Detection.DetectedType detection)
    {
        ImageDamage.Check(stream, detection.Kind);
        var facts = Guard(detection, () => UsesMagickToDecode(detection.Kind)
            ? MagickBridge.Ping(stream, detection.Kind, configuration)
            : Identify(stream, detection.Kind));
        configuration.CheckSize(facts.Width, facts.Height, facts.Frames);
        return facts;
    }

    /// <summary>
    /// Decodes the frames in order, one at a time: each is disposed by the caller before the next is decoded. Animated
    /// GIF and WebP give their first frame only (and say so through <paramref name="note"/>).
    /// </summary>
    public IEnumerable<DecodedFrame> Decode(Stream stream, Detection.DetectedType detection, ImageFacts facts, Action<string> note)
    {
        var animated = detection.Kind is DocumentKind.Gif or DocumentKind.WebP && facts.Frames > 1;
        if (animated)
        {
            note($"This is an animation of {facts.Frames} frames: only the first frame was kept.");
        }
        var frames = detection.Kind == DocumentKind.Tiff ? facts.Frames : 1;
        var offsets = detection.Kind == DocumentKind.Tiff ? FrameCounter.TiffDirectories(stream, configuration.Options.MaxFrames) : [];
        for (var index = 0; index < frames; index++)
        {
            yield return Guard(detection, () => DecodeFrame(stream, detection.Kind, facts, index, offsets, animated));
        }
    }

    /// <summary>
    /// A JPEG decoded at reduced size where libjpeg's DCT scaling allows (1/2, 1/4, 1/8): the smallest scale still at
    /// least <paramref name="uprightWidth"/> pixels wide once turned upright. Null for other kinds, or when no scale
    /// helps: then decode whole. For previews and thumbnails.
    /// </summary>
    public DecodedFrame? DecodeReduced(Stream stream, Detection.DetectedType detection, ImageFacts facts, int uprightWidth)
    {
        var quarterTurn = facts.Orientation is >= 5 and <= 8;
        var fullWidth = quarterTurn ? facts.Height : facts.Width;
        if (detection.Kind != DocumentKind.Jpeg || uprightWidth * 2 > fullWidth)
        {
            return null;
        }
        // The largest of libjpeg's 1/2, 1/4, 1/8 that keeps the width; asked for exactly, since libjpeg rounds other ratios down.
        var denominator = new[] { 8, 4, 2 }.First(d => fullWidth / d >= uprightWidth);
        var size = ((facts.Width + denominator - 1) / denominator, (facts.Height + denominator - 1) / denominator);
        return Guard(detection, () => new DecodedFrame(MagickBridge.Decode(stream, detection.Kind, 0, configuration, size), facts.Orientation, facts.DpiX,
            Bilevel: false, ColorManaged: facts.IccProfile == IccKind.Other || facts.ColorSpace == "CMYK"));
    }

    private DecodedFrame DecodeFrame(Stream stream, DocumentKind kind, ImageFacts facts, int index, IReadOnlyList<long> tiffOffsets, bool animated)
    {
        var dpi = facts.DpiX;
        // ImageSharp 2.1.13 never returns from decoding an Adam7-interlaced PNG under 5 pixels wide or high (PngSuite
        // s01i3p01–s04i3p01): such tiny PNGs go to libpng through ImageMagick instead.
        var tinyPng = kind == DocumentKind.Png && (facts.Width < 8 || facts.Height < 8);
        if (UsesMagickToDecode(kind) || tinyPng || facts.IccProfile == IccKind.Other || facts.ColorSpace == "CMYK" || (animated && kind == DocumentKind.WebP))
        {
            return new DecodedFrame(MagickBridge.Decode(stream, kind, index, configuration), UsesMagickToDecode(kind) ? 1 : facts.Orientation, dpi,
                Bilevel: false, ColorManaged: facts.IccProfile == IccKind.Other || facts.ColorSpace == "CMYK");
        }
        var orientation = facts.Orientation;
        var bilevel = facts.ColorSpace == "Bilevel";
        Func<Image<Rgba32>> decode;
        if (kind == DocumentKind.Tiff)
        {
            var page = new TiffFrameStream(stream, tiffOffsets[index]);
            var info = Identify(page, kind); // each page has its own size, resolution and orientation
            configuration.CheckSize(info.Width, info.Height, 1);
            (orientation, dpi, bilevel) = (info.Orientation, info.DpiX, info.ColorSpace == "Bilevel");
            decode = () =>
            {
                page.Position = 0;
                return Image.Load<Rgba32>(configuration.ImageSharp, page, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
            };
        }
        else
        {
            decode = () =>
            {
                stream.Position = 0;
                return kind == DocumentKind.Gif
                    ? Image.Load<Rgba32>(configuration.ImageSharp, stream, new GifDecoder { DecodingMode = FrameDecodingMode.First })
                    : Image.Load<Rgba32>(configuration.ImageSharp, stream);
            };
        }
        Image<Rgba32> image;
        try
        {
            image = decode();
        }
        catch (Exception e) when (e is not DocEngineException and not InvalidMemoryOperationException and not OperationCanceledException and not OutOfMemoryException)
        {
            // ImageSharp 2.1 lacks tiled TIFF and trips on some valid PNGs (PngSuite oi9n0g16): ask libpng/libtiff through
            // ImageMagick before calling the file damaged. Files both refuse are damaged.
            image = MagickBridge.Decode(stream, kind, index, configuration);
        }
        return new DecodedFrame(image, orientation, dpi, bilevel, ColorManaged: false);
    }

    private ImageFacts Identify(Stream stream, DocumentKind kind)
    {
        if (kind == DocumentKind.Png)
        {
            CheckPngHeader(stream);
        }
        stream.Position = 0;
        var info = Image.Identify(configuration.ImageSharp, stream, out var format)
            ?? throw new InvalidImageContentException("No decoder recognised the header.");
        var frames = kind switch
        {
            DocumentKind.Tiff when stream is not TiffFrameStream => FrameCounter.TiffDirectories(stream, configuration.Options.MaxFrames).Count,
            DocumentKind.Gif => FrameCounter.GifFrames(stream, configuration.Options.MaxFrames),
            DocumentKind.WebP => FrameCounter.WebPFrames(stream, configuration.Options.MaxFrames),
            _ => 1,
        };
        var exif = info.Metadata.ExifProfile;
        if (kind == DocumentKind.WebP && exif?.GetValue(ExifTag.Orientation) is null && FrameCounter.WebPExif(stream) is { } raw)
        {
            exif = new ExifProfile(raw);
        }
        // ImageSharp keeps TIFF tags on frames, which Identify does not return: read the Orientation tag from the IFD.
        var orientation = kind == DocumentKind.Tiff ? FrameCounter.TiffOrientation(stream) : exif?.GetValue(ExifTag.Orientation)?.Value ?? 1;
        var bits = info.PixelType?.BitsPerPixel ?? 24;
        return new ImageFacts(
            Width: info.Width,
            Height: info.Height,
            Frames: frames,
            DpiX: Dpi(info.Metadata, info.Metadata.HorizontalResolution),
            DpiY: Dpi(info.Metadata, info.Metadata.VerticalResolution),
            ColorSpace: kind == DocumentKind.Jpeg && FrameCounter.JpegComponents(stream) == 4 ? "CMYK" : ColorSpaceOf(info.Metadata, format, bits),
            BitsPerPixel: bits,
            IccProfile: MagickBridge.IccOf(info.Metadata.IccProfile?.ToByteArray()),
            Orientation: orientation is >= 1 and <= 8 ? orientation : 1,
            HasGps: exif?.Values.Any(v => v.Tag.ToString().StartsWith("GPS", StringComparison.Ordinal)) ?? false,
            HasCameraInfo: exif?.Values.Any(v => CameraTags.Contains(v.Tag)) ?? false,
            HasAlpha: info.PixelType?.AlphaRepresentation is { } alpha && alpha != PixelAlphaRepresentation.None
                || (format is PngFormat && info.Metadata.GetPngMetadata().HasTransparency));
    }

    /// <summary>
    /// Walks the PNG chunk list and refuses what ISO 15948 forbids but ImageSharp lets through: an IHDR with an unknown
    /// compression, filter or interlace method (§11.2.2), and iCCP/zTXt/iTXt chunks compressed with an unknown method
    /// (§11.3), which libpng and Pillow refuse too.
    /// </summary>
    private static void CheckPngHeader(Stream stream)
    {
        var header = new byte[8];
        long position = 8;
        while (position + 8 <= stream.Length)
        {
            stream.Position = position;
            stream.ReadExactly(header);
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            if (length > stream.Length - position - 12)
            {
                return; // truncated: the decoder reports it with its own words
            }
            if (type is "IHDR" or "iCCP" or "zTXt" or "iTXt")
            {
                var data = new byte[Math.Min(length, 100u)];
                stream.ReadExactly(data);
                var name = Array.IndexOf(data, (byte)0);
                var method = type switch
                {
                    "IHDR" when data.Length == 13 => data[10] | data[11] | (data[12] > 1 ? 0xFF : 0),
                    "iCCP" or "zTXt" when name >= 0 && name + 1 < data.Length => data[name + 1],
                    "iTXt" when name >= 0 && name + 2 < data.Length && data[name + 1] == 1 => data[name + 2],
                    _ => 0,
                };
                if (method != 0)
                {
                    throw new InvalidImageContentException($"The PNG {type} chunk declares an unknown compression method.");
                }
            }
            if (type == "IEND")
            {
                return;
            }
            position += 12 + length;
        }
    }

    private static double? Dpi(ImageMetadata metadata, double value)
    {
        double? dpi = metadata.ResolutionUnits switch
        {
            PixelResolutionUnit.PixelsPerInch => value,
            PixelResolutionUnit.PixelsPerCentimeter => value * 2.54,
            PixelResolutionUnit.PixelsPerMeter => value * 0.0254,
            _ => null,
        };
        return dpi > 0 ? Math.Round(dpi.Value, 2) : null;
    }

    private static string ColorSpaceOf(ImageMetadata metadata, IImageFormat? format, int bits) => format switch
    {
        JpegFormat => metadata.GetJpegMetadata().ColorType switch
        {
            JpegColorType.Luminance => "Gray",
            JpegColorType.Cmyk => "CMYK",
            JpegColorType.Rgb => "RGB",
            null => bits <= 8 ? "Gray" : "YCbCr",
            _ => "YCbCr",
        },
        PngFormat => metadata.GetPngMetadata().ColorType switch
        {
            PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha => bits == 1 ? "Bilevel" : "Gray",
            PngColorType.Palette => "Palette",
            _ => "RGB",
        },
        GifFormat => "Palette",
        _ => bits switch
        {
            1 => "Bilevel",
            <= 8 => "Gray",
            _ => "RGB",
        },
    };

    private static bool UsesMagickToDecode(DocumentKind kind) =>
        kind is DocumentKind.Heic or DocumentKind.Heif or DocumentKind.Avif or DocumentKind.Jpeg2000;

    private static T Guard<T>(Detection.DetectedType detection, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DocEngineException)
        {
            throw;
        }
        catch (InvalidMemoryOperationException)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "IMAGE_TOO_LARGE",
                "Decoding this image needs more memory than DocEngine allows for one image: scan or export it at a lower resolution.");
        }
        catch (ImageMagick.MagickResourceLimitErrorException)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "IMAGE_TOO_LARGE",
                "Decoding this image goes past DocEngine's limits for one image: scan or export it at a lower resolution.");
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw Damaged(detection, e);
        }
    }

    /// <summary>The refusal for a file whose bytes do not decode.</summary>
    public static DocEngineException Damaged(Detection.DetectedType detection, Exception cause)
    {
        var name = detection.Description.StartsWith("a ", StringComparison.Ordinal) || detection.Description.StartsWith("an ", StringComparison.Ordinal)
            ? detection.Description[(detection.Description.IndexOf(' ') + 1)..]
            : detection.Description;
        var why = cause is EndOfStreamException || cause.Message.Contains("end of", StringComparison.OrdinalIgnoreCase)
            || cause.Message.Contains("truncat", StringComparison.OrdinalIgnoreCase) || cause.Message.Contains("InsufficientImageData", StringComparison.Ordinal)
            ? "is cut short"
            : "is damaged";
        return new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
            $"This {name} {why} and cannot be read: export, scan or photograph the document again and upload the new file.")
        {
            Details = new Dictionary<string, string> { ["decoder_message"] = Truncate(cause.Message) },
        };
    }

    private static string Truncate(string message)
    {
        var line = message.Split('\n')[0];
        return line.Length <= 200 ? line : line[..200];
    }

    private static readonly HashSet<ExifTag> CameraTags =
    [
        ExifTag.Make, ExifTag.Model, ExifTag.SerialNumber, ExifTag.LensMake, ExifTag.LensModel,
        ExifTag.LensSerialNumber, ExifTag.MakerNote, ExifTag.OwnerName,
    ];
}

/// <summary>One decoded frame and what is needed to place it upright at its physical size.</summary>
/// <param name="Image">The pixels, already in sRGB.</param>
/// <param name="Orientation">EXIF/TIFF orientation still to apply (1 = none).</param>
/// <param name="Dpi">Stated resolution, when any.</param>
/// <param name="Bilevel">The source was black and white (1 bit per pixel).</param>
/// <param name="ColorManaged">The pixels were converted to sRGB through a colour profile.</param>
public sealed record DecodedFrame(Image<Rgba32> Image, int Orientation, double? Dpi, bool Bilevel, bool ColorManaged) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Image.Dispose();
}
