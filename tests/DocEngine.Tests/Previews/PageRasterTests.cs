using System.Diagnostics;
using System.Text;
using DocEngine.Core;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Previews;
using DocEngine.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Previews;

/// <summary>
/// The renderer's pages come from mutool as raw RGB and are written as PNGs here (issue 18): the pixels must be mutool's
/// own, a gray page must become a gray PNG, and a short or strange stream must end the pages, never crash.
/// </summary>
public sealed class PageRasterTests
{
    [Fact]
    public async Task A_gray_page_becomes_a_gray_png_and_a_color_page_an_rgb_one_with_every_pixel_kept()
    {
        var random = new Random(18);
        var (width, height) = (37, 23);
        var gray = new byte[width * height * 3];
        var color = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++)
        {
            var level = (byte)random.Next(256);
            (gray[i * 3], gray[i * 3 + 1], gray[i * 3 + 2]) = (level, level, level);
            random.NextBytes(color.AsSpan(i * 3, 3));
        }
        using var stream = new MemoryStream([.. Ppm(width, height, gray), .. Ppm(width, height, color)]);

        var first = await PageRaster.ReadPngAsync(stream, 1 << 20, CancellationToken.None);
        var second = await PageRaster.ReadPngAsync(stream, 1 << 20, CancellationToken.None);

        Assert.Null(await PageRaster.ReadPngAsync(stream, 1 << 20, CancellationToken.None));
        Assert.Equal(0, first![25]); // IHDR colour type: gray
        Assert.Equal(2, second![25]); // RGB
        Assert.Equal(gray, RgbOf(first));
        Assert.Equal(color, RgbOf(second));
    }

    [Theory]
    [InlineData("P6 10 10 255\n")] // pixels cut short
    [InlineData("P6 10\n")] // header cut short
    [InlineData("P3 10 10 255\n")] // ASCII pixels, which mutool never writes
    [InlineData("P6 10 10 65535\n")] // 16-bit samples
    [InlineData("P6 -1 10 255\n")]
    [InlineData("P6 99999999999 10 255\n")]
    [InlineData("%PDF-1.7\n")]
    public async Task A_stream_that_is_not_a_whole_page_ends_the_pages(string text)
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text + new string('x', 50)));

        Assert.Null(await PageRaster.ReadPngAsync(stream, 1 << 20, CancellationToken.None));
    }

    [Fact]
    public async Task A_page_larger_than_the_limit_is_refused_before_its_pixels_are_read()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("P6 30000 40000 255\n"));

        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => PageRaster.ReadPngAsync(stream, 512L << 20, CancellationToken.None));

        Assert.Equal((ErrorKind.ResourceExhausted, "PREVIEW_TOO_LARGE"), (refusal.Kind, refusal.Reason));
        Assert.Contains("30000 × 40000 pixels", refusal.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_previewed_page_has_exactly_the_pixels_of_mutools_own_png_and_a_scan_comes_out_smaller()
    {
        var renderer = Renderer.Create();
        var path = CorpusManifest.File("scans", "uscis__i-765.pdf");
        var ours = (await Renderer.RenderAsync(renderer, path, new PreviewRequest(Pages: "1", Width: 800))).Pages.Single();
        using var output = new TempDirectory();
        var theirs = Path.Combine(output.Path, "page.png");
        using (var mutool = Process.Start("mutool", ["draw", "-q", "-F", "png", "-w", "800", "-o", theirs, path, "1"]))
        {
            await mutool.WaitForExitAsync();
        }

        Assert.Equal(RgbOf(await File.ReadAllBytesAsync(theirs)), RgbOf(ours.Bytes));
        Assert.True(ours.Bytes.Length < new FileInfo(theirs).Length, $"ours {ours.Bytes.Length} bytes, mutool's {new FileInfo(theirs).Length}");
    }

    private static byte[] Ppm(int width, int height, byte[] rgb) => [.. Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"), .. rgb];

    private static byte[] RgbOf(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }
}
