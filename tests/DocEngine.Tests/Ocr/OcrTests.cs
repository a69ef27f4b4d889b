using DocEngine.Core.Archive;
using DocEngine.Core.Detection;
using DocEngine.Core.Pdf;
using DocEngine.Core.Processing;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;
using PdfSharp.Pdf.IO;

namespace DocEngine.Tests.Ocr;

/// <summary>
/// OCR with the real Tesseract on shared scans: words known to be on the page are found by an independent reader
/// (poppler's pdftotext), pages that already had text keep their content streams byte for byte, a page shown turned
/// gets its words where its picture is, and the searchable copy can be made PDF/A.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed class OcrTests(ConvertersFixture converters)
{
    [SkippableFact]
    public async Task A_scan_without_text_gets_a_layer_pdftotext_reads_and_a_page_with_text_is_left_byte_for_byte()
    {
        var ocr = converters.RequireOcr();
        var shared = SharedCorpus.RequireOrSkip();
        using var scratch = new TempDirectory();
        // Page 1: a colour scan of a page of Huckleberry Finn (no text layer); page 2: the W-4 form's first page (text).
        var mixed = Path.Combine(scratch.Path, "mixed.pdf");
        using (var document = new PdfSharp.Pdf.PdfDocument())
        {
            using var scan = PdfReader.Open(Path.Combine(shared, "scans", "ocrmypdf__c02-22.pdf"), PdfDocumentOpenMode.Import);
            using var form = PdfReader.Open(Path.Combine(shared, "scans", "irs__fw4-2025.pdf"), PdfDocumentOpenMode.Import);
            document.AddPage(scan.Pages[0]);
            document.AddPage(form.Pages[0]);
            document.Save(mixed);
        }
        var textPageBefore = ContentStreams(mixed, 2);
        var imagesBefore = Images(mixed, 1);
        var output = Path.Combine(scratch.Path, "searchable.pdf");

        var outcome = await ocr.AddTextLayerAsync(mixed, output, scratch.Path, CancellationToken.None);

        Assert.Equal((1, 2), (outcome.PagesRecognized, outcome.Pages));
        var text = PdfTools.Run("pdftotext", "-f", "1", "-l", "1", output, "-").Stdout;
        foreach (var word in (string[])["they", "tip-toed", "garden", "branches", "kitchen"])
        {
            Assert.Contains(word, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(textPageBefore, ContentStreams(output, 2));
        Assert.Equal(imagesBefore, Images(output, 1)); // the scan's image is the same stream, byte for byte
    }

    [SkippableFact]
    public async Task A_page_stored_sideways_and_shown_upright_by_Rotate_gets_its_words_over_its_picture_and_passes_PDF_A()
    {
        var ocr = converters.RequireOcr();
        converters.RequireArchive();
        using var scratch = new TempDirectory();
        // The same typewritten page twice, shown the same: once stored upright, once stored sideways with /Rotate 90
        // (as scanners write landscape-fed pages), so only the page's own coordinates differ.
        var image = Path.Combine(SharedCorpus.RequireOrSkip(), "scans", "ocrmypdf__typewriter.png");
        var straight = Path.Combine(scratch.Path, "straight.pdf");
        var turned = Path.Combine(scratch.Path, "turned.pdf");
        const double Width = 4000 * 72 / 300.0, Height = 2864 * 72 / 300.0;
        foreach (var (path, rotate) in new[] { (straight, 0), (turned, 90) })
        {
            using var document = new PdfSharp.Pdf.PdfDocument();
            var page = document.AddPage();
            (page.Width, page.Height) = rotate == 0 ? (PdfSharp.Drawing.XUnit.FromPoint(Width), PdfSharp.Drawing.XUnit.FromPoint(Height))
                : (PdfSharp.Drawing.XUnit.FromPoint(Height), PdfSharp.Drawing.XUnit.FromPoint(Width));
            using (var graphics = PdfSharp.Drawing.XGraphics.FromPdfPage(page))
            using (var picture = PdfSharp.Drawing.XImage.FromFile(image))
            {
                if (rotate == 90)
                {
                    // Shown turned a quarter clockwise, so stored turned a quarter anticlockwise.
                    graphics.TranslateTransform(0, Width);
                    graphics.RotateTransform(-90);
                }
                graphics.DrawImage(picture, 0, 0, Width, Height);
            }
            page.Rotate = rotate;
            document.Save(path);
        }
        var straightOut = Path.Combine(scratch.Path, "straight-searchable.pdf");
        var turnedOut = Path.Combine(scratch.Path, "turned-searchable.pdf");
        await ocr.AddTextLayerAsync(straight, straightOut, scratch.Path, CancellationToken.None);
        await ocr.AddTextLayerAsync(turned, turnedOut, scratch.Path, CancellationToken.None);

        // pdftotext places words on the page as shown: each word of the turned page lies where it lies on the straight one.
        var expected = Words(straightOut);
        var found = Words(turnedOut);
        var matched = expected.Count(w => found.Any(f => f.Text == w.Text && Math.Abs(f.X - w.X) < 5 && Math.Abs(f.Y - w.Y) < 5));
        Assert.True(expected.Count >= 20 && matched >= expected.Count * 3 / 4, $"{matched} of {expected.Count} words in place.");

        var archived = Path.Combine(scratch.Path, "pdfa.pdf");
        await converters.Archive.WriteAsync(turnedOut, archived, scratch.Path, CancellationToken.None);
        Assert.True(PdfAConformance.Check(archived).Conforms);
        Assert.Contains("Linzensoep", PdfTools.Run("pdftotext", archived, "-").Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task OCR_alone_leaves_the_page_images_as_they_are_and_the_report_names_the_text_layer()
    {
        converters.RequireOcr();
        using var scratch = new TempDirectory();
        var source = Path.Combine(SharedCorpus.RequireOrSkip(), "scans", "ocrmypdf__2400dpi.pdf");

        var result = await converters.Pipeline.RunAsync(source, new DetectedType(DocumentKind.Pdf, "application/pdf", "a PDF", null), "scan.pdf",
            new ProcessingRequest { Ocr = true }, new PdfCompressionRequest(), scratch.Path, CancellationToken.None);

        var part = Assert.Single(result.Parts);
        Assert.Equal(1, result.Report.TextLayerPages);
        Assert.Null(result.Report.ImageDpi); // nothing was recompressed
        Assert.Equal(Images(source, 1), Images(part.Path, 1));
        Assert.Contains(result.Report.Actions, a => a.StartsWith("Added a searchable text layer to 1 of 1 page(s) with Tesseract (eng+fra)", StringComparison.Ordinal));
    }

    /// <summary>The raw bytes of a page's content streams, in order.</summary>
    private static List<byte[]> ContentStreams(string path, int page)
    {
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(path);
        UglyToad.PdfPig.Tokens.IToken Resolve(UglyToad.PdfPig.Tokens.IToken token) =>
            token is UglyToad.PdfPig.Tokens.IndirectReferenceToken reference ? pdf.Structure.GetObject(reference.Data).Data : token;
        var contents = Resolve(pdf.GetPage(page).Dictionary.Data["Contents"]);
        var streams = contents is UglyToad.PdfPig.Tokens.ArrayToken array ? array.Data.Select(Resolve) : [contents];
        return streams.Cast<UglyToad.PdfPig.Tokens.StreamToken>().Select(s => s.Data.ToArray()).ToList();
    }

    /// <summary>The raw bytes of a page's images.</summary>
    private static List<byte[]> Images(string path, int page)
    {
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(path);
        return pdf.GetPage(page).GetImages().Select(i => i.RawMemory.ToArray()).ToList();
    }

    private sealed record Word(string Text, double X, double Y);

    /// <summary>Words and their centres on the page as shown, read by poppler's pdftotext -bbox.</summary>
    private static List<Word> Words(string path) =>
        System.Text.RegularExpressions.Regex.Matches(PdfTools.Run("pdftotext", "-bbox", path, "-").Stdout,
                "<word xMin=\"([\\d.]+)\" yMin=\"([\\d.]+)\" xMax=\"([\\d.]+)\" yMax=\"([\\d.]+)\">([^<]+)</word>")
            .Select(m => (Values: Enumerable.Range(1, 4).Select(i => double.Parse(m.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), Text: m.Groups[5].Value))
            .Select(w => new Word(w.Text, (w.Values[0] + w.Values[2]) / 2, (w.Values[1] + w.Values[3]) / 2))
            .ToList();
}
