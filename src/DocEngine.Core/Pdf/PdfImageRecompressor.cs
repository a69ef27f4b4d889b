using System.Globalization;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.Filters;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Pdf;

/// <summary>
/// The image pass: each image XObject is decoded, downsampled to the target resolution of its sharpest use on the page
/// (never upsampled), turned gray when it is gray in effect, and re-encoded as JPEG; the original stays whenever the new
/// stream is not smaller. Bilevel, CCITT, JBIG2 and JPEG 2000 images, masked images and unusual colour spaces are left
/// exactly as they are.
/// </summary>
internal static class PdfImageRecompressor
{
    /// <summary>What happened to one image, as a person reads it.</summary>
    /// <param name="Page">First page it appears on.</param>
    /// <param name="BytesBefore">Its stream's size before.</param>
    /// <param name="BytesAfter">Its stream's size after (the same when kept).</param>
    /// <param name="Sentence">What was done and why.</param>
    public sealed record Outcome(int Page, long BytesBefore, long BytesAfter, string Sentence);

    /// <summary>Recompresses every image drawn in <paramref name="document"/> at <paramref name="dpi"/> and JPEG <paramref name="quality"/>.</summary>
    public static List<Outcome> Run(PdfDocument document, int dpi, int quality, bool gray, long maxPixels, CancellationToken cancellationToken)
    {
        var outcomes = new List<Outcome>();
        foreach (var placement in ImagePlacements.Find(document).OrderBy(p => p.FirstPage))
        {
            cancellationToken.ThrowIfCancellationRequested();
            outcomes.Add(Recompress(placement, dpi, quality, gray, maxPixels));
        }
        return outcomes;
    }

    private static Outcome Recompress(ImagePlacements.Placement placement, int targetDpi, int quality, bool forceGray, long maxPixels)
    {
        var image = placement.Image;
        var encoded = image.Stream.Value;
        var (width, height) = (image.Elements.GetInteger("/Width"), image.Elements.GetInteger("/Height"));
        var described = string.Create(CultureInfo.InvariantCulture, $"Page {placement.FirstPage}: image {width} × {height} ({placement.Dpi:0} dpi)");
        Outcome Kept(string why) => new(placement.FirstPage, encoded.Length, encoded.Length, $"{described} kept as it was: {why}.");

        if (image.Elements.GetBoolean("/ImageMask") || image.Elements["/Mask"] is PdfArray || image.Elements["/Decode"] is not null)
        {
            return Kept("it is a mask, or is drawn through one");
        }
        if ((long)width * height > maxPixels)
        {
            return Kept("it is larger than the pixel limit");
        }
        var filters = FilterNames(image.Elements["/Filter"]);
        if (filters.Any(f => f is "/CCITTFaxDecode" or "/JBIG2Decode" or "/JPXDecode"))
        {
            return Kept(filters.Contains("/JPXDecode") ? "JPEG 2000 images are left as they are" : "bilevel CCITT and JBIG2 images are already compact");
        }
        if (image.Elements.GetInteger("/BitsPerComponent") is not 8 and not 0)
        {
            return Kept("images of other than 8 bits per component (such as black-and-white) are left as they are");
        }
        var colours = ColourSpace.Read(image.Elements["/ColorSpace"]);
        if (colours is null)
        {
            return Kept("its colour space is not plain RGB, gray or an RGB/gray palette");
        }

        Image<Rgb24>? pixels;
        try
        {
            pixels = filters switch
            {
                ["/DCTDecode"] when colours.Palette is null => Image.Load<Rgb24>(encoded),
                _ when filters.All(f => f is "/FlateDecode" or "/LZWDecode") => FromSamples(
                    filters.Count == 0 ? encoded : Filtering.Decode(encoded, image.Elements["/Filter"]!, image.Elements["/DecodeParms"]), width, height, colours),
                _ => null,
            };
        }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return Kept("its data could not be decoded, so it is not touched");
        }
        if (pixels is null)
        {
            return Kept("its encoding is left as it is");
        }
        using (pixels)
        {
            var isGray = forceGray || (colours.Palette is null && colours.Components == 1) || IsGrayInEffect(pixels);
            var scale = placement.Dpi > targetDpi ? targetDpi / placement.Dpi : 1;
            var (newWidth, newHeight) = (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
            if (newWidth < pixels.Width)
            {
                pixels.Mutate(x => x.Resize(newWidth, newHeight, KnownResamplers.Bicubic));
            }
            using var output = new MemoryStream();
            pixels.SaveAsJpeg(output, new JpegEncoder { Quality = quality, ColorType = isGray ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 });
            if (output.Length >= encoded.Length)
            {
                return Kept(string.Create(CultureInfo.InvariantCulture, $"a {(isGray ? "gray " : "")}JPEG at {Math.Min(targetDpi, placement.Dpi):0} dpi, quality {quality} would not be smaller"));
            }
            image.Stream.Value = output.ToArray();
            image.Elements.SetName("/Filter", "/DCTDecode");
            image.Elements.Remove("/DecodeParms");
            image.Elements.SetInteger("/Width", pixels.Width);
            image.Elements.SetInteger("/Height", pixels.Height);
            image.Elements.SetInteger("/BitsPerComponent", 8);
            image.Elements.SetName("/ColorSpace", isGray ? "/DeviceGray" : "/DeviceRGB");
            return new Outcome(placement.FirstPage, encoded.Length, output.Length, string.Create(CultureInfo.InvariantCulture,
                $"{described} → {pixels.Width} × {pixels.Height} ({placement.Dpi * pixels.Width / width:0} dpi), {(isGray ? "gray " : "")}JPEG quality {quality}: {ByteSize.Describe(encoded.Length)} → {ByteSize.Describe(output.Length)}."));
        }
    }

    private static List<string> FilterNames(PdfItem? filter) => filter switch
    {
        PdfName name => [name.Value],
        PdfArray array => [.. array.Elements.OfType<PdfName>().Select(n => n.Value)],
        PdfReference { Value: PdfArray array } => [.. array.Elements.OfType<PdfName>().Select(n => n.Value)],
        _ => [],
    };

    private static Image<Rgb24>? FromSamples(byte[]? samples, int width, int height, ColourSpace colours)
    {
        var perPixel = colours.Palette is null ? colours.Components : 1;
        if (samples is null || samples.LongLength < (long)width * height * perPixel)
        {
            return null;
        }
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                var offset = y * width * perPixel;
                for (var x = 0; x < width; x++)
                {
                    row[x] = colours switch
                    {
                        { Palette: { } palette } => palette[Math.Min(samples[offset + x], palette.Length - 1)],
                        { Components: 1 } => new Rgb24(samples[offset + x], samples[offset + x], samples[offset + x]),
                        _ => new Rgb24(samples[offset + 3 * x], samples[offset + 3 * x + 1], samples[offset + 3 * x + 2]),
                    };
                }
            }
        });
        return image;
    }

    /// <summary>True when no pixel's channels differ by more than a scanner's colour noise.</summary>
    private static bool IsGrayInEffect(Image<Rgb24> image)
    {
        var gray = true;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && gray; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (Math.Abs(p.R - p.G) > 8 || Math.Abs(p.G - p.B) > 8)
                    {
                        gray = false;
                        break;
                    }
                }
            }
        });
        return gray;
    }

    /// <summary>The colour spaces this pass decodes: gray, RGB (device or ICC-based), and 8-bit palettes over them.</summary>
    private sealed record ColourSpace(int Components, Rgb24[]? Palette)
    {
        public static ColourSpace? Read(PdfItem? item)
        {
            item = item is PdfReference reference ? reference.Value : item;
            switch (item)
            {
                case PdfName { Value: "/DeviceGray" or "/CalGray" }:
                    return new ColourSpace(1, null);
                case PdfName { Value: "/DeviceRGB" or "/CalRGB" }:
                    return new ColourSpace(3, null);
                case PdfArray { Elements.Count: >= 2 } array when array.Elements.GetName(0) == "/ICCBased":
                    var profile = array.Elements.GetDictionary(1);
                    return profile?.Elements.GetInteger("/N") switch
                    {
                        1 => new ColourSpace(1, null),
                        3 => new ColourSpace(3, null),
                        _ => null,
                    };
                case PdfArray { Elements.Count: 4 } array when array.Elements.GetName(0) is "/Indexed" or "/I":
                    var baseSpace = Read(array.Elements[1]);
                    var lookup = array.Elements[3] switch
                    {
                        PdfString text when text.Value.All(c => c <= 0xFF) => text.Value.Select(c => (byte)c).ToArray(),
                        PdfReference { Value: PdfDictionary { Stream: { } stream } } => stream.UnfilteredValue,
                        PdfDictionary { Stream: { } stream } => stream.UnfilteredValue,
                        _ => null,
                    };
                    if (baseSpace is not { Palette: null } || lookup is null)
                    {
                        return null;
                    }
                    var entries = Math.Min(array.Elements.GetInteger(2) + 1, lookup.Length / baseSpace.Components);
                    var palette = Enumerable.Range(0, entries).Select(i => baseSpace.Components == 1
                        ? new Rgb24(lookup[i], lookup[i], lookup[i])
                        : new Rgb24(lookup[3 * i], lookup[3 * i + 1], lookup[3 * i + 2])).ToArray();
                    return palette.Length == 0 ? null : new ColourSpace(1, palette);
                default:
                    return null;
            }
        }
    }
}
