using DocEngine.Core.Imaging;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Benchmarks;

/// <summary>
/// Application packets as applicants send them (issue 18): several PDFs merged into one, as a "combine files" tool
/// does (each part's fonts, images and profiles copied again), and an 18-page packet of 400-dpi black-and-white scans
/// merged from three scanners' PDFs; a letter whose fonts are embedded whole, as report generators may write it. Shared by the benchmarks and the tests (linked into the test project), so both
/// measure the same files.
/// </summary>
internal static class Packets
{
    /// <summary>The scans the bilevel packet is made of, from <c>../shared/scans</c>: typewritten, printed, handwritten and form pages.</summary>
    public static readonly string[] BilevelSources =
        ["ocrmypdf__typewriter.png", "tesseract-test__8071_093.3B.tif", "naps2__skewed.jpg", "noteshrink__notesA1.jpg", "page_dewarp__boston_cooking_a.jpg"];

    /// <summary>The forms and scan of the merged packet, from <c>../shared/scans</c>: a form appears twice, as in a packet for two applicants.</summary>
    public static readonly string[] MergedParts = ["uscis__i-765.pdf", "irs__fw4-2025.pdf", "paperless-ngx__many-qr-codes.pdf", "uscis__i-765.pdf", "irs__fw4-2025.pdf"];

    /// <summary>Merges <paramref name="parts"/> page by page into <paramref name="output"/>, each part's objects imported anew.</summary>
    public static string Merge(IReadOnlyList<string> parts, string output)
    {
        using var merged = new PdfDocument();
        foreach (var part in parts)
        {
            using var source = PdfReader.Open(part, PdfDocumentOpenMode.Import);
            foreach (var page in source.Pages)
            {
                merged.AddPage(page);
            }
        }
        merged.Save(output);
        return output;
    }

    /// <summary>
    /// <paramref name="pages"/> US-letter pages of <paramref name="dpi"/>-dpi black-and-white scans of the pictures in
    /// <paramref name="sources"/> (cycled; thresholded at half, with a scanner's speckle), merged from three PDFs of a
    /// third of the pages each: one stores its 1-bit samples uncompressed (as a print-to-PDF or "combine" tool may), one deflated
    /// fast (what most scanner drivers write), one as CCITT Group 4.
    /// </summary>
    public static string BilevelScans(IReadOnlyList<string> sources, string output, int pages = 18, int dpi = 400)
    {
        var folder = Directory.CreateTempSubdirectory("docengine-packet-");
        try
        {
            var third = (pages + 2) / 3;
            var parts = new List<string>();
            for (var part = 0; part < 3; part++)
            {
                using var document = new PdfDocument();
                for (var page = part * third; page < Math.Min(pages, (part + 1) * third); page++)
                {
                    var (pixels, width, height) = ScanPage(sources[page % sources.Count], dpi, seed: page);
                    AddBilevelPage(document, pixels, width, height, dpi, (Storage)part);
                }
                var path = Path.Combine(folder.FullName, $"part{part + 1}.pdf");
                document.Save(path);
                parts.Add(path);
            }
            return Merge(parts, output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A letter page at <paramref name="dpi"/>: the picture fitted inside a half-inch margin, black where darker than
    /// half, plus a scanner's speckle (0.2 % of the pixels turned black).
    /// </summary>
    private static (byte[] Pixels, int Width, int Height) ScanPage(string source, int dpi, int seed)
    {
        var (width, height) = ((int)(8.5 * dpi), 11 * dpi);
        using var picture = Image.Load<L8>(source);
        picture.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(width - dpi, height - dpi), Mode = ResizeMode.Max }));
        var pixels = new byte[width * height];
        Array.Fill(pixels, (byte)255);
        var (left, top) = ((width - picture.Width) / 2, (height - picture.Height) / 2);
        picture.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    pixels[(top + y) * width + left + x] = row[x].PackedValue < 128 ? (byte)0 : (byte)255;
                }
            }
        });
        var random = new Random(seed);
        for (var i = 0; i < pixels.Length / 500; i++)
        {
            pixels[random.Next(pixels.Length)] = 0;
        }
        return (pixels, width, height);
    }

    /// <summary>The TrueType fonts the letter is written in, those of them this machine has (the server's build installs fonts-liberation2 and fonts-crosextra-carlito; fonts-dejavu-core comes with fontconfig).</summary>
    public static readonly string[] LetterFonts = ["DejaVuSans.ttf", "Carlito-Regular.ttf", "DejaVuSerif.ttf", "LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf"];

    /// <summary>
    /// A letter of one page per font of <see cref="LetterFonts"/> this machine has, each font embedded whole (PDFsharp's
    /// complete-font embedding), alternately as a CID font (Unicode) and as a simple TrueType font (WinAnsi); null when
    /// the machine has none of them.
    /// </summary>
    public static string? LetterInWholeFonts(string output)
    {
        var fonts = LetterFonts.Where(f => MachineFonts.Find(f) is not null).ToList();
        if (fonts.Count == 0)
        {
            return null;
        }
        MachineFonts.Install();
        using var document = new PdfDocument();
        for (var i = 0; i < fonts.Count; i++)
        {
            var encoding = i % 2 == 0 ? PdfFontEncoding.Unicode : PdfFontEncoding.WinAnsi;
            var font = new XFont(fonts[i], 11, XFontStyleEx.Regular, new XPdfFontOptions(encoding, PdfFontEmbedding.EmbedCompleteFontFile));
            var page = document.AddPage();
            using var graphics = XGraphics.FromPdfPage(page);
            var lines = new[]
            {
                "Application for permanent residence: supporting letter",
                $"Page {i + 1} of {fonts.Count}, written in {Path.GetFileNameWithoutExtension(fonts[i])}.",
                "To whom it may concern: the applicant has worked with us since 2019 as a senior analyst,",
                "full time, 37.5 hours a week, at a salary of 64,200 a year. Reference no. AB-1234/56.",
                "Questions? Write to hr@example.org or call +1 (555) 010-2030 between 9:00 and 17:00.",
            };
            for (var line = 0; line < lines.Length; line++)
            {
                graphics.DrawString(lines[line], font, XBrushes.Black, new XPoint(72, 100 + 18 * line));
            }
        }
        document.Save(output);
        return output;
    }

    private enum Storage { Uncompressed, Deflated, Group4 }

    private static void AddBilevelPage(PdfDocument document, byte[] pixels, int width, int height, int dpi, Storage storage)
    {
        var image = new PdfDictionary(document);
        image.Elements.SetName("/Type", "/XObject");
        image.Elements.SetName("/Subtype", "/Image");
        image.Elements.SetInteger("/Width", width);
        image.Elements.SetInteger("/Height", height);
        image.Elements.SetInteger("/BitsPerComponent", 1);
        image.Elements.SetName("/ColorSpace", "/DeviceGray");
        if (storage == Storage.Group4)
        {
            image.CreateStream(Bilevel.EncodeGroup4(pixels, width, height));
            image.Elements.SetName("/Filter", "/CCITTFaxDecode");
            var parameters = new PdfDictionary();
            parameters.Elements.SetInteger("/K", -1);
            parameters.Elements.SetInteger("/Columns", width);
            parameters.Elements.SetInteger("/Rows", height);
            image.Elements["/DecodeParms"] = parameters;
        }
        else
        {
            var stride = (width + 7) / 8;
            var packed = new byte[stride * height];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    if (pixels[y * width + x] >= 128)
                    {
                        packed[y * stride + (x >> 3)] |= (byte)(0x80 >> (x & 7));
                    }
                }
            }
            if (storage == Storage.Uncompressed)
            {
                image.CreateStream(packed);
            }
            else
            {
                using var deflated = new MemoryStream();
                using (var zlib = new System.IO.Compression.ZLibStream(deflated, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                {
                    zlib.Write(packed);
                }
                image.CreateStream(deflated.ToArray());
                image.Elements.SetName("/Filter", "/FlateDecode");
            }
        }
        document.Internals.AddObject(image);

        var page = document.AddPage();
        var (points, pointsHigh) = (width * 72.0 / dpi, height * 72.0 / dpi);
        page.Width = PdfSharp.Drawing.XUnit.FromPoint(points);
        page.Height = PdfSharp.Drawing.XUnit.FromPoint(pointsHigh);
        var resources = new PdfDictionary(document);
        var xObjects = new PdfDictionary(document);
        xObjects.Elements["/Im0"] = image.Reference;
        resources.Elements["/XObject"] = xObjects;
        page.Elements["/Resources"] = resources;
        var content = new PdfDictionary(document);
        content.CreateStream(System.Text.Encoding.ASCII.GetBytes(FormattableString.Invariant($"q {points:0.###} 0 0 {pointsHigh:0.###} 0 0 cm /Im0 Do Q")));
        document.Internals.AddObject(content);
        page.Elements["/Contents"] = content.Reference;
    }
}

/// <summary>PDFsharp's fonts for <see cref="Packets.LetterInWholeFonts"/> and the tests: a TrueType file of this machine, its file name as the family name.</summary>
internal sealed class MachineFonts : IFontResolver
{
    private static readonly Lock Gate = new();
    private static bool _installed;

    /// <summary>Where the font file of that name is under /usr/share/fonts, or null.</summary>
    public static string? Find(string fileName) => Directory.Exists("/usr/share/fonts")
        ? Directory.EnumerateFiles("/usr/share/fonts", fileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
        : null;

    /// <summary>Makes these PDFsharp's fonts (once a process: PDFsharp takes one resolver).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                GlobalFontSettings.FontResolver = new MachineFonts();
                _installed = true;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => Find(familyName) is null ? null : new FontResolverInfo(familyName);

    public byte[]? GetFont(string faceName) => Find(faceName) is { } path ? File.ReadAllBytes(path) : null;
}
