using System.Text;
using DocEngine.Benchmarks;
using DocEngine.Core.Pdf;
using DocEngine.Tests.Infrastructure;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using PigDocument = UglyToad.PdfPig.PdfDocument;

namespace DocEngine.Tests.Pdf;

/// <summary>
/// Fonts embedded whole (issue 18): compressing keeps only the glyphs the pages show, and the pages look and read the
/// same; a font a form fills its fields with stays whole. The PDFs are written here with a TrueType font of the machine
/// (<see cref="Packets.LetterFonts"/>; the server's build installs fonts-liberation2 with LibreOffice).
/// </summary>
public sealed class FontSubsettingTests
{
    private const string Shown = "Application for permanent residence, 2026";
    private const string InForm = "Receipt 42";

    public static TheoryData<PdfFontEncoding> Encodings => [PdfFontEncoding.Unicode, PdfFontEncoding.WinAnsi];

    /// <summary>Unicode: a Type 0 font over a TrueType CID font (2-byte glyph numbers); WinAnsi: a simple TrueType font (1-byte codes through its cmap).</summary>
    [SkippableTheory]
    [MemberData(nameof(Encodings))]
    public async Task A_whole_embedded_font_keeps_only_the_glyphs_shown_and_the_pages_look_and_read_the_same(PdfFontEncoding encoding)
    {
        using var work = new TempDirectory();
        var input = Letter(Path.Combine(work.Path, "letter.pdf"), withFormDefault: false, encoding);
        var before = FontProgramBytes(input);
        Assert.True(before > 100_000, $"the test font is only {before} bytes: not a whole font");

        var result = await PdfCompressionTests.Compressor().CompressAsync(input, new PdfCompressionRequest(), work.Path, CancellationToken.None);

        var output = Assert.Single(result.Parts).Path;
        var after = FontProgramBytes(output);
        Assert.True(after < before / 5, $"the font program went from {before} to {after} bytes");
        Assert.Contains(result.Report.Actions, a => a.StartsWith("Dropped the glyphs nothing shows from 1 embedded font(s)", StringComparison.Ordinal));
        Assert.Equal(Text(input), Text(output));
        Assert.Contains(InForm, Text(output)); // the form XObject's text (its own resources) kept its glyphs too
        AssertSamePixels(input, output);
        Assert.Equal(0, PdfTools.QpdfCheck(output).ExitCode);
    }

    [SkippableFact]
    public async Task A_font_the_form_fills_its_fields_with_stays_whole()
    {
        using var work = new TempDirectory();
        var input = Letter(Path.Combine(work.Path, "form.pdf"), withFormDefault: true, PdfFontEncoding.Unicode);
        var before = FontProgramBytes(input);

        var result = await PdfCompressionTests.Compressor().CompressAsync(input, new PdfCompressionRequest(), work.Path, CancellationToken.None);

        var output = Assert.Single(result.Parts).Path;
        Assert.Equal(before, FontProgramBytes(output));
        Assert.DoesNotContain(result.Report.Actions, a => a.StartsWith("Dropped the glyphs", StringComparison.Ordinal));
        AssertSamePixels(input, output);
    }

    [Fact]
    public void Content_text_reads_every_way_a_string_is_written_and_skips_inline_images()
    {
        var content = Encoding.Latin1.GetBytes(
            "BT /F#31 12 Tf (a\\(b\\)c\\101\\n) Tj [<0041 00>-120(x)] TJ 1 2 (q) \" ET\n" +
            "BI /W 2 /H 1 /BPC 8 /CS /G ID \u0000(zz) Tj\u00ff EI Q\n" +
            "/P <</MCID 3>> BDC BT /F2 9 Tf (y) ' ET EMC % (comment) Tj\n");
        var fonts = new List<string>();
        var shown = new List<string>();

        Assert.True(ContentText.Read(content, CancellationToken.None, name => { fonts.Add(name); return true; }, text => shown.Add(Encoding.Latin1.GetString(text))));

        Assert.Equal(["F1", "F2"], fonts);
        Assert.Equal(["a(b)cA\n", "\0A\0", "x", "q", "y"], shown);
        Assert.False(ContentText.Read(Encoding.Latin1.GetBytes("BI /W 1 ID \u0001\u0002 no end"), CancellationToken.None, _ => true, _ => { }));
        Assert.False(ContentText.Read(Encoding.Latin1.GetBytes("/F9 1 Tf"), CancellationToken.None, _ => false, _ => { }));
    }

    [SkippableFact]
    public void A_damaged_font_program_is_left_whole_never_thrown()
    {
        var path = Packets.LetterFonts.Select(MachineFonts.Find).FirstOrDefault(p => p is not null);
        Requires.That(path is not null, $"None of {string.Join(", ", Packets.LetterFonts)} is under /usr/share/fonts: install fonts-liberation2 (the server's build does, with LibreOffice).");
        var font = File.ReadAllBytes(path!);
        var random = new Random(18);
        using var document = new PdfDocument();
        var simple = new PdfDictionary(document);
        simple.Elements.SetName("/Subtype", "/TrueType");
        foreach (var damaged in new[]
        {
            font[..(font.Length / 3)], // cut off
            font[..64],
            [.. font.Take(12), .. Enumerable.Range(0, 4096).Select(_ => (byte)random.Next(256))], // a table directory over noise
            [.. font.Select((b, i) => i > 12 && i % 97 == 0 ? (byte)random.Next(256) : b)], // bytes flipped throughout
        })
        {
            var glyphs = SimpleTrueType.Glyphs(damaged, simple, Enumerable.Range(32, 95));
            var subset = HarfBuzzSubsetter.Subset(damaged, new HashSet<uint> { 1, 2, 3 }, keepLookups: glyphs is null);
            Assert.True(subset is null || subset.Length > 0);
        }
    }

    /// <summary>A page of text in a whole embedded TrueType font, and a form XObject with more text in it; optionally the font is also the form's default.</summary>
    private static string Letter(string path, bool withFormDefault, PdfFontEncoding encoding)
    {
        var family = Packets.LetterFonts.FirstOrDefault(f => MachineFonts.Find(f) is not null);
        Requires.That(family is not null, $"None of {string.Join(", ", Packets.LetterFonts)} is under /usr/share/fonts: install fonts-liberation2 (the server's build does, with LibreOffice).");
        MachineFonts.Install();
        var options = new XPdfFontOptions(encoding, PdfFontEmbedding.EmbedCompleteFontFile);
        var font = new XFont(family!, 14, XFontStyleEx.Regular, options);
        using var document = new PdfDocument();
        var page = document.AddPage();
        using (var graphics = XGraphics.FromPdfPage(page))
        {
            graphics.DrawString(Shown, font, XBrushes.Black, new XPoint(72, 100));
            var form = new XForm(document, XUnit.FromPoint(200), XUnit.FromPoint(40));
            using (var inner = XGraphics.FromForm(form))
            {
                inner.DrawString(InForm, font, XBrushes.Black, new XPoint(10, 25));
            }
            graphics.DrawImage(form, 72, 200);
        }
        if (withFormDefault)
        {
            var pageFonts = page.Resources.Elements.GetDictionary("/Font")!;
            var type0 = pageFonts.Elements[pageFonts.Elements.Keys.First()]!;
            var defaults = new PdfDictionary(document);
            defaults.Elements["/Font"] = new PdfDictionary(document) { Elements = { ["/Helv"] = type0 } };
            document.Internals.Catalog.Elements["/AcroForm"] = new PdfDictionary(document) { Elements = { ["/Fields"] = new PdfArray(document), ["/DR"] = defaults } };
        }
        document.Save(path);
        return path;
    }

    /// <summary>The embedded TrueType programs' bytes, uncompressed (each stream's /Length1).</summary>
    private static long FontProgramBytes(string path)
    {
        using var document = PdfReader.Open(path, PdfDocumentOpenMode.Import);
        return document.Internals.GetAllObjects().OfType<PdfDictionary>()
            .Select(d => d.Elements.GetDictionary("/FontFile2")).OfType<PdfDictionary>().Distinct()
            .Sum(program => (long)program.Elements.GetInteger("/Length1"));
    }

    private static string Text(string path)
    {
        using var document = PigDocument.Open(path);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }

    private static void AssertSamePixels(string before, string after)
    {
        var expected = PdfTools.Draw(before, 150, 1, 1).Single();
        var actual = PdfTools.Draw(after, 150, 1, 1).Single();
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var differing = 0;
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                differing += expected[x, y].Equals(actual[x, y]) ? 0 : 1;
            }
        }
        Assert.Equal(0, differing);
    }
}
