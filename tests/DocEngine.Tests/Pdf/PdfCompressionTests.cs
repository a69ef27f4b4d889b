using DocEngine.Core.Processing;
using System.Diagnostics;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Tests.Infrastructure;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Pdf;

/// <summary>
/// PDF compression against real documents, judged by independent tools: every output passes <c>qpdf --check</c>, has the
/// original's pages as MuPDF counts them, is no larger, and looks like the original (SSIM ≥ 0.9 at 100 dpi, drawn by MuPDF).
/// Budgets land under their target or split into parts that each fit; signed PDFs come back byte for byte; passwords work.
/// </summary>
public sealed class PdfCompressionTests
{
    private const double MinSsim = 0.9;

    public static TheoryData<string> Pdfs() => new(RepoPaths.Shared is null
        ? ["(../shared absent)"]
        : CorpusManifest.Corpus().Where(e => e.Name.StartsWith("pdf-general/", StringComparison.Ordinal)).Select(e => "corpus/" + e.Name)
            .Concat(CorpusManifest.Scans().Where(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)).Select(e => "scans/" + e.Name)));

    [SkippableTheory]
    [MemberData(nameof(Pdfs))]
    public async Task Every_pdf_compresses_to_a_valid_lookalike_no_larger_or_is_refused_with_a_sentence(string name)
    {
        var compressor = Compressor();
        var path = Path.Combine(RepoPaths.Shared ?? "", name);
        var password = CorpusManifest.Password(path);
        using var output = new TempDirectory();
        var clock = Stopwatch.StartNew();
        PdfCompression result;
        try
        {
            result = await compressor.CompressAsync(path, new PdfCompressionRequest(Password: password), output.Path, CancellationToken.None);
        }
        catch (DocEngineException refusal)
        {
            Assert.Contains((refusal.Kind, refusal.Reason), new[] { (ErrorKind.InvalidArgument, "DAMAGED_FILE"), (ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED") });
            Assert.Matches("Malformed|must be rejected|error|fuzz|EOF|[Pp]assword", CorpusManifest.Expected(path));
            Assert.EndsWith(".", refusal.Message, StringComparison.Ordinal);
            return;
        }
        finally
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{name} took {clock.Elapsed}.");
        }

        var part = Assert.Single(result.Parts);
        var unchanged = File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(part.Path));
        var (check, report) = PdfTools.QpdfCheck(part.Path);
        Assert.True(check == 0 || (unchanged && check == 3), $"{name}: qpdf --check exit {check}: {report}");
        Assert.Equal(PdfTools.Pages(path, password), PdfTools.Pages(part.Path));
        Assert.True(part.Bytes <= new FileInfo(path).Length || result.Report.Warnings.Any(w => w.Contains("larger than the original", StringComparison.Ordinal)),
            $"{name} grew from {new FileInfo(path).Length} to {part.Bytes} bytes without saying why.");
        if (!unchanged)
        {
            Assert.Equal(PdfTools.FormFields(path, password), PdfTools.FormFields(part.Path));
            AssertLooksLike(path, part.Path, password, pages: Math.Min(3, result.Pages));
        }
    }

    [SkippableFact]
    public async Task A_600_dpi_scan_lands_under_its_budget_and_still_looks_like_the_original()
    {
        var compressor = Compressor();
        var scan = CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf");
        using var output = new TempDirectory();

        var result = await compressor.CompressAsync(scan, new PdfCompressionRequest(MaxBytes: 300_000), output.Path, CancellationToken.None);

        var part = Assert.Single(result.Parts);
        Assert.True(part.Bytes <= 300_000, $"{part.Bytes} bytes is over the 300 KB budget.");
        Assert.Equal(0, PdfTools.QpdfCheck(part.Path).ExitCode);
        Assert.Equal(3, PdfTools.Pages(part.Path));
        Assert.InRange(result.Report.ImageDpi ?? 0, 101, 150); // above the floor, so a tighter budget has a step to go down to
        Assert.InRange(result.Report.JpegQuality ?? 0, 41, 65);
        Assert.Contains(result.Report.Actions, a => a.StartsWith("Tried ", StringComparison.Ordinal));
        Assert.Contains(result.Report.Actions, a => a.StartsWith("Page 1: image 4864 × 6858 (600 dpi) → ", StringComparison.Ordinal));
        AssertLooksLike(scan, part.Path, null, pages: 3);

        // The budget decides the step: a budget just below this result needs a lower step (less dpi or quality). "Just
        // below" is 1 KiB, not 1 byte: the same step comes out a few bytes larger or smaller from run to run, because the
        // rewrite stamps the time and fresh XMP ids (PDFsharp) into streams that are then compressed.
        using var second = new TempDirectory();
        var tighter = await compressor.CompressAsync(scan, new PdfCompressionRequest(MaxBytes: part.Bytes - 1024), second.Path, CancellationToken.None);
        Assert.True(tighter.Report.JpegQuality < result.Report.JpegQuality || tighter.Report.ImageDpi < result.Report.ImageDpi,
            $"{part.Bytes} bytes at {result.Report.ImageDpi} dpi, quality {result.Report.JpegQuality}; with {part.Bytes - 1024} bytes allowed: {tighter.Parts.Sum(p => p.Bytes)} at {tighter.Report.ImageDpi} dpi, quality {tighter.Report.JpegQuality}.");
    }

    [SkippableFact]
    public async Task Below_the_legibility_floor_the_pdf_is_split_into_consecutive_parts_that_each_fit()
    {
        var compressor = Compressor();
        var scan = CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf");
        using var output = new TempDirectory();

        var result = await compressor.CompressAsync(scan, new PdfCompressionRequest(MaxBytes: 100_000), output.Path, CancellationToken.None);

        Assert.True(result.Parts.Count > 1);
        Assert.Equal(Enumerable.Range(1, 3), result.Parts.SelectMany(p => Enumerable.Range(p.FirstPage, p.LastPage - p.FirstPage + 1)));
        foreach (var part in result.Parts)
        {
            Assert.True(part.Bytes <= 100_000 && new FileInfo(part.Path).Length == part.Bytes, $"{part.Path}: {part.Bytes} bytes");
            Assert.Equal(0, PdfTools.QpdfCheck(part.Path).ExitCode);
            Assert.Equal(part.LastPage - part.FirstPage + 1, PdfTools.Pages(part.Path));
        }
        Assert.Contains(result.Report.Actions, a => a.StartsWith($"Split into {result.Parts.Count} part(s)", StringComparison.Ordinal) && a.Contains("part 1 of", StringComparison.Ordinal));
        Assert.Contains(result.Report.Warnings, w => w.StartsWith("Even at the legibility floor (100 dpi, JPEG quality 40)", StringComparison.Ordinal));

        using var second = new TempDirectory();
        var alone = await compressor.CompressAsync(scan, new PdfCompressionRequest(SplitTo: 1_000_000), second.Path, CancellationToken.None);
        Assert.Equal(3, alone.Parts.Count); // ~850 KB per untouched page
        Assert.All(alone.Parts, p => Assert.True(p.Bytes <= 1_000_000));
        Assert.Null(alone.Report.ImageDpi); // splitting alone never touches an image

        var impossible = await Assert.ThrowsAsync<DocEngineException>(() =>
            compressor.CompressAsync(scan, new PdfCompressionRequest(MaxBytes: 40_000), output.Path, CancellationToken.None));
        Assert.Equal((ErrorKind.ResourceExhausted, "PAGE_TOO_LARGE"), (impossible.Kind, impossible.Reason));
        Assert.StartsWith("Page 1 alone is larger than 40 KB", impossible.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Signed_pdfs_come_back_byte_for_byte_unless_breaking_the_signature_is_allowed()
    {
        var compressor = Compressor();
        using var output = new TempDirectory();
        var signed = CorpusManifest.Corpus().Where(e => e.Name.StartsWith("pdf-signed/", StringComparison.Ordinal) && !e.Name.Contains("empty-sig", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(signed);
        foreach (var entry in signed)
        {
            var result = await compressor.CompressAsync(entry.Path, new PdfCompressionRequest(MaxBytes: 20_000), output.Path, CancellationToken.None);
            Assert.Equal(await File.ReadAllBytesAsync(entry.Path), await File.ReadAllBytesAsync(Assert.Single(result.Parts).Path));
            Assert.Contains(result.Report.Actions, a => a.StartsWith("Left it byte for byte as it was: it is digitally signed", StringComparison.Ordinal));
            Assert.Contains(result.Report.Warnings, w => w.Contains("over the 20 KB limit", StringComparison.Ordinal));
        }

        var broken = await compressor.CompressAsync(signed[0].Path, new PdfCompressionRequest(AllowBreakingSignatures: true), output.Path, CancellationToken.None);
        Assert.DoesNotContain(broken.Report.Actions, a => a.Contains("digitally signed", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Encrypted_pdfs_need_their_password_and_come_out_unencrypted()
    {
        var compressor = Compressor();
        using var output = new TempDirectory();
        var locked = CorpusManifest.File("corpus", "pdf-general/qpdf__20-pages.pdf");

        var missing = await Assert.ThrowsAsync<DocEngineException>(() => compressor.CompressAsync(locked, new PdfCompressionRequest(), output.Path, CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<DocEngineException>(() => compressor.CompressAsync(locked, new PdfCompressionRequest(Password: "nope"), output.Path, CancellationToken.None));
        var opened = await compressor.CompressAsync(locked, new PdfCompressionRequest(Password: "user"), output.Path, CancellationToken.None);
        using var other = new TempDirectory();
        var ownerOnly = await compressor.CompressAsync(CorpusManifest.File("corpus", "pdf-general/qpdf__enc-XI-R6_V5_O-master.pdf"), new PdfCompressionRequest(), other.Path, CancellationToken.None);

        Assert.Equal((ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED"), (missing.Kind, missing.Reason));
        Assert.Contains("password-protected:", missing.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorKind.InvalidArgument, "WRONG_PASSWORD"), (wrong.Kind, wrong.Reason));
        var part = Assert.Single(opened.Parts);
        Assert.False(PdfTools.IsEncrypted(part.Path));
        Assert.Equal(20, PdfTools.Pages(part.Path));
        Assert.Contains(ownerOnly.Report.Warnings, w => w.StartsWith("It had an owner password", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void An_image_drawn_twice_is_measured_by_its_larger_drawing()
    {
        var pdf = TwoDrawingsOfOneImage(pixels: 600, smallInches: 1, largeInches: 3);
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Modify);

        var placement = Assert.Single(ImagePlacements.Find(document));

        Assert.Equal(200, placement.Dpi, precision: 3); // 600 px over 3 in, not 600 px over 1 in
        Assert.Equal(1, placement.FirstPage);
    }

    [Fact]
    public void Budgets_no_pdf_can_meet_are_refused_with_the_field()
    {
        var refusal = Assert.Throws<DocEngineException>(() => new PdfCompressionRequest(MaxBytes: 5_000).Validate());
        Assert.Equal((ErrorKind.InvalidArgument, "BUDGET_TOO_SMALL", "max_bytes"), (refusal.Kind, refusal.Reason, refusal.Field));
        Assert.Equal("split_to", Assert.Throws<DocEngineException>(() => new PdfCompressionRequest(SplitTo: 1).Validate()).Field);
    }

    internal static PdfCompressor Compressor()
    {
        PdfTools.RequireQpdf();
        return new PdfCompressor(Renderer.Create().Mutool, new ProcessingOptions());
    }

    /// <summary>Each page of the output, drawn at 100 dpi, has SSIM ≥ 0.9 against the original's.</summary>
    private static void AssertLooksLike(string original, string compressed, string? password, int pages)
    {
        var before = PdfTools.Draw(original, 100, 1, pages, password);
        var after = PdfTools.Draw(compressed, 100, 1, pages);
        for (var page = 0; page < pages; page++)
        {
            var ssim = Similarity.Ssim(before[page], after[page]);
            Assert.True(ssim >= MinSsim, $"{Path.GetFileName(original)} page {page + 1}: SSIM {ssim:F3} < {MinSsim}.");
        }
        foreach (var image in before.Concat(after))
        {
            image.Dispose();
        }
    }

    private static byte[] TwoDrawingsOfOneImage(int pixels, double smallInches, double largeInches)
    {
        using var png = new MemoryStream();
        using (var image = new Image<Rgb24>(pixels, pixels, new Rgb24(200, 30, 30)))
        {
            image.SaveAsPng(png);
        }
        png.Position = 0;
        using var document = new PdfDocument();
        var page = document.AddPage();
        using (var graphics = XGraphics.FromPdfPage(page))
        using (var picture = XImage.FromStream(png))
        {
            graphics.DrawImage(picture, 36, 36, smallInches * 72, smallInches * 72);
            graphics.DrawImage(picture, 36, 200, largeInches * 72, largeInches * 72);
        }
        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }
}
