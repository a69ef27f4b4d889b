using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Benchmarks;

/// <summary>
/// The 12-MP phone photo the imaging benchmarks use: ../shared/scans/page_dewarp__boston_cooking_a.jpg (a real 8-MP phone
/// photo of a cookbook page) scaled to 4000 × 3000 and saved as JPEG quality 92 with a 72-dpi header, as phones write.
/// Without ../shared, a synthetic photo of the same size. Made once and cached in the temp folder.
/// </summary>
internal static class PhotoInput
{
    public static string Path12Megapixel()
    {
        var path = Path.Combine(Path.GetTempPath(), "docengine-bench-photo-12mp.jpg");
        if (File.Exists(path))
        {
            return path;
        }
        var source = BenchInputs.Shared("scans/page_dewarp__boston_cooking_a.jpg");
        using var image = source is null ? Synthetic() : Image.Load<Rgb24>(source);
        image.Mutate(x => x.Resize(4000, 3000));
        image.Metadata.HorizontalResolution = image.Metadata.VerticalResolution = 72;
        image.SaveAsJpeg(path + ".tmp", new JpegEncoder { Quality = 92 });
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private static Image<Rgb24> Synthetic()
    {
        var image = new Image<Rgb24>(4000, 3000);
        var random = new Random(3);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgb24((byte)(y / 12), (byte)random.Next(96, 160), (byte)(255 - y / 12));
                }
            }
        });
        return image;
    }
}
