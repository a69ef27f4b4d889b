using DocEngine.Benchmarks;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace DocEngine.Tests.Pdf;

/// <summary>
/// Application packets (issue 18), with bytes and pages asserted, never times: a merged packet is smaller than its parts
/// compressed alone, what the parts repeat is stored once, an 18-page 400-dpi black-and-white packet fits 4 MB in one
/// legible file, and a signed file keeps its XFA form. CPU-heavy (the 400-dpi packet), so they run alone.
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class PacketCompressionTests
{
    [SkippableFact]
    public async Task A_merged_packet_compresses_to_less_than_its_parts_compressed_alone()
    {
        var compressor = PdfCompressionTests.Compressor();
        string[] names = ["uscis__i-765.pdf", "irs__fw4-2025.pdf", "ocrmypdf__c02-22.pdf"];
        var parts = names.Select(n => CorpusManifest.File("scans", n)).ToList();
        using var work = new TempDirectory();
        var packet = Packets.Merge(parts, Path.Combine(work.Path, "packet.pdf"));

        long alone = 0;
        foreach (var part in parts)
        {
            var result = await compressor.CompressAsync(part, new PdfCompressionRequest(), Directory.CreateTempSubdirectory("docengine-part-").FullName, CancellationToken.None);
            alone += Assert.Single(result.Parts).Bytes;
        }
        var merged = Assert.Single((await compressor.CompressAsync(packet, new PdfCompressionRequest(), work.Path, CancellationToken.None)).Parts);

        Assert.True(merged.Bytes < alone, $"The merged packet compressed to {merged.Bytes} bytes; its parts alone to {alone} in all.");
        Assert.Equal(names.Sum(n => PdfTools.Pages(CorpusManifest.File("scans", n))), PdfTools.Pages(merged.Path));
        Assert.Equal(0, PdfTools.QpdfCheck(merged.Path).ExitCode);
    }

    [SkippableFact]
    public async Task Fonts_and_images_a_packet_repeats_are_stored_once()
    {
        var compressor = PdfCompressionTests.Compressor();
        var form = CorpusManifest.File("scans", "irs__fw4-2025.pdf");
        var scan = CorpusManifest.File("scans", "ocrmypdf__c02-22.pdf");
        using var work = new TempDirectory();
        var once = Packets.Merge([form, scan], Path.Combine(work.Path, "once.pdf"));
        var thrice = Packets.Merge([form, scan, form, scan, form, scan], Path.Combine(work.Path, "thrice.pdf"));
        Assert.Equal(3 * Count(once, IsFontProgram), Count(thrice, IsFontProgram)); // the merge copied them, as tools do

        var single = Assert.Single((await compressor.CompressAsync(once, new PdfCompressionRequest(), Directory.CreateTempSubdirectory("docengine-once-").FullName, CancellationToken.None)).Parts);
        var repeated = Assert.Single((await compressor.CompressAsync(thrice, new PdfCompressionRequest(), work.Path, CancellationToken.None)).Parts);

        Assert.True(Count(single.Path, IsFontProgram) > 0 && Count(single.Path, IsImage) > 0);
        Assert.Equal(Count(single.Path, IsFontProgram), Count(repeated.Path, IsFontProgram));
        Assert.Equal(Count(single.Path, IsImage), Count(repeated.Path, IsImage));
        // What stays repeated is small on purpose: annotations and fields are never merged, each belongs to its page.
        var duplicates = PdfByteReport.Analyze(repeated.Path)[PdfByteKind.Duplicates];
        Assert.True(duplicates < repeated.Bytes / 100, $"{duplicates} bytes are still repeated objects.");
        Assert.True(repeated.Bytes < 2 * single.Bytes, $"Three copies take {repeated.Bytes} bytes, one {single.Bytes}.");
    }

    [SkippableFact]
    public async Task An_18_page_400_dpi_black_and_white_packet_fits_4_MB_in_one_legible_file()
    {
        var compressor = PdfCompressionTests.Compressor();
        var sources = Packets.BilevelSources.Select(n => CorpusManifest.File("scans", n)).ToList();
        using var work = new TempDirectory();
        var packet = Packets.BilevelScans(sources, Path.Combine(work.Path, "packet.pdf"));
        Assert.True(new FileInfo(packet).Length > 4_000_000, "The packet must start over the limit.");

        var result = await compressor.CompressAsync(packet, new PdfCompressionRequest(MaxBytes: 4_000_000), work.Path, CancellationToken.None);

        var part = Assert.Single(result.Parts);
        Assert.True(part.Bytes <= 4_000_000, $"{part.Bytes} bytes is over 4 MB.");
        Assert.Equal(18, PdfTools.Pages(part.Path));
        Assert.Equal(0, PdfTools.QpdfCheck(part.Path).ExitCode);
        for (var first = 1; first <= 18; first += 6) // six pages at a time keeps the 400-dpi drawings' memory small
        {
            var before = PdfTools.Draw(packet, 100, first, first + 5);
            var after = PdfTools.Draw(part.Path, 100, first, first + 5);
            for (var i = 0; i < before.Count; i++)
            {
                var ssim = Similarity.Ssim(before[i], after[i]);
                Assert.True(ssim >= 0.98, $"Page {first + i}: SSIM {ssim:F3} at 100 dpi is under 0.98.");
            }
            foreach (var image in before.Concat(after))
            {
                image.Dispose();
            }
        }
    }

    [SkippableFact]
    public async Task XFA_is_dropped_from_an_unsigned_static_form_and_never_from_a_signed_one()
    {
        var compressor = PdfCompressionTests.Compressor();
        var unsigned = WithXfa(FormPdf.Create());
        var signed = PdfSigner.Sign(unsigned).Bytes;
        using var work = new TempDirectory();
        File.WriteAllBytes(Path.Combine(work.Path, "unsigned.pdf"), unsigned);
        File.WriteAllBytes(Path.Combine(work.Path, "signed.pdf"), signed);

        var plain = await compressor.CompressAsync(Path.Combine(work.Path, "unsigned.pdf"), new PdfCompressionRequest(), Directory.CreateTempSubdirectory("docengine-xfa-").FullName, CancellationToken.None);
        Assert.False(HasXfa(Assert.Single(plain.Parts).Path));
        Assert.Contains(plain.Report.Actions, a => a.StartsWith("Dropped its XFA form", StringComparison.Ordinal));

        foreach (var xfa in Enum.GetValues<XfaHandling>())
        {
            var kept = await compressor.CompressAsync(Path.Combine(work.Path, "signed.pdf"),
                new PdfCompressionRequest(AllowBreakingSignatures: true, Xfa: xfa), Directory.CreateTempSubdirectory("docengine-xfa-").FullName, CancellationToken.None);
            Assert.True(HasXfa(Assert.Single(kept.Parts).Path), $"The XFA form of a signed file was dropped ({xfa}).");
            Assert.Contains("Kept its XFA form: a signature covers it.", kept.Report.Actions);
        }
    }

    /// <summary>The form with an XFA packet added to its AcroForm (a static form: no /NeedsRendering).</summary>
    private static byte[] WithXfa(FormPdf form)
    {
        var number = IncrementalUpdate.NextObjectNumber(form.Bytes);
        var body = PdfObjectReader.ReadObject(form.Bytes, form.AcroForm);
        var at = body.LastIndexOf(">>", StringComparison.Ordinal);
        var withXfa = body[..at] + $" /XFA {number} 0 R" + body[at..];
        // As LiveCycle writes them: a template naming every field with its layout, tens of kilobytes (uncompressed here).
        var fields = string.Concat(Enumerable.Range(1, 400).Select(i => $"<field name=\"Line{i}\" x=\"{i % 7}mm\" y=\"{i * 3}mm\" w=\"80mm\" h=\"9mm\"><ui><textEdit/></ui></field>"));
        var xdp = $"<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template xmlns=\"http://www.xfa.org/schema/xfa-template/3.3/\"><subform name=\"form1\">{fields}</subform></template></xdp:xdp>";
        return IncrementalUpdate.Append(form.Bytes, [PdfObjectWrite.Stream(number, "", xdp), PdfObjectWrite.Of(form.AcroForm, withXfa)]);
    }

    private static bool HasXfa(string path)
    {
        using var document = PdfReader.Open(path, PdfDocumentOpenMode.Import);
        return document.Internals.Catalog.Elements.GetDictionary("/AcroForm")?.Elements.ContainsKey("/XFA") == true;
    }

    private static bool IsFontProgram(PdfDictionary dictionary) =>
        dictionary.Elements.GetName("/Type") == "/FontDescriptor";

    private static bool IsImage(PdfDictionary dictionary) => dictionary.Elements.GetName("/Subtype") == "/Image";

    private static int Count(string path, Func<PdfDictionary, bool> what)
    {
        using var document = PdfReader.Open(path, PdfDocumentOpenMode.Import);
        return document.Internals.GetAllObjects().OfType<PdfDictionary>().Count(what);
    }
}
