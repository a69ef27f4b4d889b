using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Tests.Infrastructure;

/// <summary>Pixel comparisons with a tolerance: both images are scaled to the same small size, then compared channel by channel.</summary>
public static class Pixels
{
    /// <summary>Mean absolute difference per channel (0–255) between two images scaled to 64 × 64.</summary>
    public static double MeanAbsoluteError(Image a, Image b, int size = 64)
    {
        using var left = Small(a, size);
        using var right = Small(b, size);
        double total = 0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var (p, q) = (left[x, y], right[x, y]);
                total += Math.Abs(p.R - q.R) + Math.Abs(p.G - q.G) + Math.Abs(p.B - q.B);
            }
        }
        return total / (size * size * 3);
    }

    public static Image<Rgb24> Load(string path) => Image.Load<Rgb24>(path);

    public static Image<Rgb24> Load(byte[] bytes) => Image.Load<Rgb24>(bytes);

    private static Image<Rgb24> Small(Image image, int size)
    {
        var copy = image.CloneAs<Rgb24>();
        copy.Mutate(x => x.Resize(size, size));
        return copy;
    }
}
