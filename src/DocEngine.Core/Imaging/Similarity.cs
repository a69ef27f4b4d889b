using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Imaging;

/// <summary>
/// How alike two pictures of the same page look: the structural similarity index (SSIM, Wang et al. 2004) of their
/// luminance, over 7 × 7 windows at every position, with the usual constants (K1 0.01, K2 0.03, range 255) — the
/// defaults of scikit-image's <c>structural_similarity</c>. 1 is identical; scanned text stays legible above about 0.9.
/// </summary>
public static class Similarity
{
    private const int Window = 7;
    private const double C1 = 0.01 * 255 * 0.01 * 255;
    private const double C2 = 0.03 * 255 * 0.03 * 255;

    /// <summary>Mean SSIM of two images; the second is resized to the first's size when they differ by rounding.</summary>
    public static double Ssim(Image<Rgb24> expected, Image<Rgb24> actual)
    {
        using var resized = actual.Width == expected.Width && actual.Height == expected.Height
            ? null
            : actual.Clone(x => x.Resize(expected.Width, expected.Height));
        var (a, b) = (Luminance(expected), Luminance(resized ?? actual));
        var (width, height) = (expected.Width, expected.Height);
        if (width < Window || height < Window)
        {
            return a.SequenceEqual(b) ? 1 : 0;
        }
        // Integral images of x, y, x², y² and xy make every window's sums O(1).
        var stride = width + 1;
        var sums = new double[5][];
        for (var k = 0; k < 5; k++)
        {
            sums[k] = new double[stride * (height + 1)];
        }
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (p, q) = (a[y * width + x], b[y * width + x]);
                var (here, up, left, corner) = ((y + 1) * stride + x + 1, y * stride + x + 1, (y + 1) * stride + x, y * stride + x);
                for (var k = 0; k < 5; k++)
                {
                    var value = k switch { 0 => p, 1 => q, 2 => p * p, 3 => q * q, _ => p * q };
                    sums[k][here] = value + sums[k][up] + sums[k][left] - sums[k][corner];
                }
            }
        }
        const double n = Window * Window;
        double total = 0;
        var count = 0;
        for (var y = 0; y + Window <= height; y++)
        {
            for (var x = 0; x + Window <= width; x++)
            {
                double Sum(int k) => sums[k][(y + Window) * stride + x + Window] - sums[k][y * stride + x + Window] - sums[k][(y + Window) * stride + x] + sums[k][y * stride + x];
                var (meanA, meanB) = (Sum(0) / n, Sum(1) / n);
                // Sample (co)variances, as scikit-image computes them.
                var varA = (Sum(2) - n * meanA * meanA) / (n - 1);
                var varB = (Sum(3) - n * meanB * meanB) / (n - 1);
                var covariance = (Sum(4) - n * meanA * meanB) / (n - 1);
                total += (2 * meanA * meanB + C1) * (2 * covariance + C2) / ((meanA * meanA + meanB * meanB + C1) * (varA + varB + C2));
                count++;
            }
        }
        return total / count;
    }

    private static double[] Luminance(Image<Rgb24> image)
    {
        var values = new double[image.Width * image.Height];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    values[y * image.Width + x] = 0.299 * row[x].R + 0.587 * row[x].G + 0.114 * row[x].B;
                }
            }
        });
        return values;
    }
}
