using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Imaging;

/// <summary>Chooses between JPEG (photos) and PNG (line art, screenshots, transparency) and writes them compactly.</summary>
internal static class ImageEncoding
{
    /// <summary>
    /// True when the image looks like line art or a screenshot rather than a photo: few distinct colours on a sample grid
    /// (quantized to 4 bits per channel), where PNG is both smaller and sharper than JPEG.
    /// </summary>
    public static bool LooksLikeLineArt(Image<Rgba32> image)
    {
        var colours = new HashSet<int>();
        var stepX = Math.Max(1, image.Width / 256);
        var stepY = Math.Max(1, image.Height / 256);
        var lineArt = true;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && lineArt; y += stepY)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x += stepX)
                {
                    var p = row[x];
                    colours.Add((p.R >> 4) << 8 | (p.G >> 4) << 4 | (p.B >> 4));
                }
                lineArt = colours.Count <= 128;
            }
        });
        return lineArt;
    }

    /// <summary>True when any pixel is not fully opaque.</summary>
    public static bool HasTransparency(Image<Rgba32> image)
    {
        var transparent = false;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && !transparent; y++)
            {
                foreach (var pixel in rows.GetRowSpan(y))
                {
                    if (pixel.A != 255)
                    {
                        transparent = true;
                        break;
                    }
                }
            }
        });
        return transparent;
    }

    /// <summary>Writes a baseline JPEG, 4:2:0 (or grayscale), flattening any transparency onto white.</summary>
    public static void WriteJpeg(Image<Rgba32> image, Stream output, int quality, bool gray)
    {
        if (HasTransparency(image))
        {
            image.Mutate(x => x.BackgroundColor(Color.White));
        }
        image.SaveAsJpeg(output, new JpegEncoder { Quality = quality, ColorType = gray ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 });
    }

    /// <summary>Writes a PNG: 1-bit for black-and-white scans, 8-bit gray for gray, RGB or RGBA otherwise.</summary>
    public static void WritePng(Image<Rgba32> image, Stream output, bool gray, bool bilevel)
    {
        var alpha = !gray && HasTransparency(image);
        image.SaveAsPng(output, new PngEncoder
        {
            ColorType = gray || bilevel ? PngColorType.Grayscale : alpha ? PngColorType.RgbWithAlpha : PngColorType.Rgb,
            BitDepth = bilevel ? PngBitDepth.Bit1 : PngBitDepth.Bit8,
            CompressionLevel = PngCompressionLevel.DefaultCompression,
            ChunkFilter = PngChunkFilter.ExcludeGammaChunk | PngChunkFilter.ExcludeExifChunk | PngChunkFilter.ExcludeTextChunks, // keep pHYs: the resolution
        });
    }
}
