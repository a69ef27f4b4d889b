using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Benchmarks;

/// <summary>
/// Inputs of the BenchmarkDotNet suites: the real files in <c>../shared</c> beside the repository when it is there, and
/// otherwise (a clean clone, CI without the corpus) small documents generated once into the temp folder, so every suite
/// runs anywhere. A suite that falls back says so on stderr.
/// </summary>
internal static class BenchInputs
{
    /// <summary><c>../shared/RELATIVE</c> beside the repository, or null when it is not there.</summary>
    public static string? Shared(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", relative));
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }

    private static readonly HashSet<string> Said = [];

    /// <summary>Says on stderr, loudly and once per suite, that it runs on generated inputs because <c>../shared</c> is missing.</summary>
    public static void SayGenerated(string suite, string what)
    {
        lock (Said)
        {
            if (Said.Add(suite))
            {
                Console.Error.WriteLine($"{suite}: ../shared is not beside the repository; measuring {what} generated in {Path.GetTempPath()} instead.");
            }
        }
    }

    /// <summary>
    /// A 300-dpi colour scan of <paramref name="pages"/> US-letter pages (2550 × 3300, paper grain and lines of dark
    /// "text"), each page a JPEG quality 90 embedded as it is: what a scanner's "save as PDF" writes. Cached.
    /// </summary>
    public static string GeneratedScanPdf(int pages)
    {
        var path = Path.Combine(Path.GetTempPath(), $"docengine-bench-scan-{pages}p-300dpi.pdf");
        if (File.Exists(path))
        {
            return path;
        }
        var folder = Directory.CreateTempSubdirectory("docengine-bench-scan");
        try
        {
            var jpegs = Enumerable.Range(1, Math.Min(pages, 3)).Select(seed => ScanPage(Path.Combine(folder.FullName, $"page{seed}.jpg"), seed)).ToList();
            PdfOfJpegs(jpegs, pages, path + ".tmp");
            File.Move(path + ".tmp", path, overwrite: true);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        return path;
    }

    /// <summary>A PDF with one JPEG per page (their bytes embedded unchanged, each page the image's size), cycling through <paramref name="jpegs"/>.</summary>
    public static string PdfOfJpegs(IReadOnlyList<string> jpegs, int pages, string output)
    {
        using var document = new PdfDocument();
        for (var i = 0; i < pages; i++)
        {
            using var image = XImage.FromFile(jpegs[i % jpegs.Count]);
            var page = document.AddPage();
            (page.Width, page.Height) = (XUnit.FromPoint(image.PointWidth), XUnit.FromPoint(image.PointHeight));
            using var graphics = XGraphics.FromPdfPage(page);
            graphics.DrawImage(image, 0, 0, image.PointWidth, image.PointHeight);
        }
        document.Save(output);
        return output;
    }

    /// <summary>A 12-MP phone photo (<see cref="PhotoInput"/>) shrunk to <paramref name="width"/> px wide: a small image input.</summary>
    public static string SmallPhoto(int width)
    {
        var path = Path.Combine(Path.GetTempPath(), $"docengine-bench-photo-{width}.jpg");
        if (!File.Exists(path))
        {
            using var image = Image.Load<Rgb24>(PhotoInput.Path12Megapixel());
            image.Mutate(x => x.Resize(width, 0));
            image.SaveAsJpeg(path + ".tmp", new JpegEncoder { Quality = 90 });
            File.Move(path + ".tmp", path, overwrite: true);
        }
        return path;
    }

    private static string ScanPage(string path, int seed)
    {
        const int Width = 2550, Height = 3300;
        var random = new Random(seed);
        using var image = new Image<Rgb24>(Width, Height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var line = (y - 300) / 60;
                var inText = y is > 300 and < Height - 300 && (y - 300) % 60 < 26;
                for (var x = 0; x < row.Length; x++)
                {
                    var ink = inText && x is > 250 and < Width - 250
                        && (x / 23 + line * 7) % 9 != 0 // gaps between words
                        && ((x * 7 + y * 13 + line) % 11) < 5; // strokes
                    var value = ink ? 40 + random.Next(30) : 232 + random.Next(-12, 13);
                    row[x] = new Rgb24((byte)value, (byte)value, (byte)Math.Max(0, value - 6));
                }
            }
        });
        image.Metadata.HorizontalResolution = image.Metadata.VerticalResolution = 300;
        image.Metadata.ResolutionUnits = SixLabors.ImageSharp.Metadata.PixelResolutionUnit.PixelsPerInch;
        image.SaveAsJpeg(path, new JpegEncoder { Quality = 90 });
        return path;
    }
}
