using DocEngine.Core.Archive;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;

namespace DocEngine.Tests.Archive;

/// <summary>
/// The mechanical PDF/A-2b check: Ghostscript's PDF/A output passes it (and qpdf --check), and each class of fault it
/// knows is caught on a file that has exactly that fault, so a check that passes everything would fail here.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed class PdfAConformanceTests(ConvertersFixture converters)
{
    [SkippableFact]
    public async Task Ghostscripts_PDF_A_copy_of_a_form_and_a_scan_passes_and_the_originals_do_not()
    {
        var archive = converters.RequireArchive();
        PdfTools.RequireQpdf();
        var shared = SharedCorpus.RequireOrSkip();
        using var scratch = new TempDirectory();
        foreach (var name in (string[])["irs__fw4-2025.pdf", "ocrmypdf__c02-22.pdf"])
        {
            var source = Path.Combine(shared, "scans", name);
            var copy = Path.Combine(scratch.Path, name);

            var report = await archive.WriteAsync(source, copy, scratch.Path, CancellationToken.None);

            Assert.True(report.Conforms);
            Assert.True(PdfAConformance.Check(copy).Conforms, name);
            Assert.Equal(0, PdfTools.QpdfCheck(copy).ExitCode);
            Assert.Equal(PdfTools.Pages(source), PdfTools.Pages(copy));
            var original = PdfAConformance.Check(source);
            Assert.Contains(original.Violations, v => v.Clause == "6.2.3"); // no output intent
            Assert.Contains(original.Violations, v => v.Clause == "6.6.2.1"); // no XMP identification
        }
        Assert.Contains(PdfAConformance.Check(Path.Combine(shared, "scans", "irs__fw4-2025.pdf")).Violations, v => v.Clause == "6.4.1"); // NeedAppearances
        Assert.Contains(PdfAConformance.Check(Path.Combine(shared, "scans", "ocrmypdf__c02-22.pdf")).Violations, v => v.Clause == "6.2.8"); // Interpolate
    }

    [SkippableFact]
    public async Task Each_fault_put_into_a_conforming_file_is_caught_by_its_clause()
    {
        var archive = converters.RequireArchive();
        using var scratch = new TempDirectory();
        var good = Path.Combine(scratch.Path, "good.pdf");
        await archive.WriteAsync(Path.Combine(SharedCorpus.RequireOrSkip(), "scans", "ocrmypdf__c02-22.pdf"), good, scratch.Path, CancellationToken.None);

        string Broken(string name, Action<PdfDocument> fault)
        {
            var path = Path.Combine(scratch.Path, name + ".pdf");
            using var document = PdfReader.Open(good, PdfDocumentOpenMode.Modify);
            fault(document);
            document.Save(path);
            return path;
        }
        var cases = new (string Clause, string Path)[]
        {
            ("6.5.1", Broken("javascript", d =>
            {
                var action = new PdfDictionary(d);
                action.Elements["/S"] = new PdfName("/JavaScript");
                action.Elements["/JS"] = new PdfString("app.alert('hi')");
                d.Internals.Catalog.Elements["/OpenAction"] = action;
            })),
            ("6.2.3", Broken("no-intent", d => d.Internals.Catalog.Elements.Remove("/OutputIntents"))),
            ("6.6.4", Broken("wrong-part", d =>
            {
                var metadata = (PdfDictionary)((PdfReference)d.Internals.Catalog.Elements["/Metadata"]!).Value;
                var xmp = System.Text.Encoding.UTF8.GetString(metadata.Stream.Value).Replace("pdfaid:part=\"2\"", "pdfaid:part=\"1\"").Replace("<pdfaid:part>2<", "<pdfaid:part>1<");
                metadata.Stream.Value = System.Text.Encoding.UTF8.GetBytes(xmp);
            })),
            ("6.4.2", Broken("xfa", d =>
            {
                var form = new PdfDictionary(d);
                form.Elements["/Fields"] = new PdfArray(d);
                form.Elements["/XFA"] = new PdfString("<xdp/>");
                d.Internals.Catalog.Elements["/AcroForm"] = form;
            })),
            ("6.5.2", Broken("page-actions", d => d.Pages[0].Elements["/AA"] = new PdfDictionary(d))),
            ("6.2.11.4.1", Broken("font", d =>
            {
                var font = new PdfDictionary(d);
                font.Elements["/Type"] = new PdfName("/Font");
                font.Elements["/Subtype"] = new PdfName("/TrueType");
                font.Elements["/BaseFont"] = new PdfName("/Arial");
                d.Internals.AddObject(font);
                var resources = d.Pages[0].Elements.GetDictionary("/Resources")!;
                var fonts = new PdfDictionary(d);
                fonts.Elements["/FUnembedded"] = font.Reference;
                resources.Elements["/Font"] = fonts;
            })),
        };
        foreach (var (clause, path) in cases)
        {
            var report = PdfAConformance.Check(path);
            Assert.True(report.Violations.Any(v => v.Clause == clause), $"{Path.GetFileName(path)}: expected {clause}, got {string.Join("; ", report.Violations)}");
        }
        var encrypted = Path.Combine(scratch.Path, "encrypted.pdf");
        using (var document = PdfReader.Open(good, PdfDocumentOpenMode.Modify))
        {
            document.SecuritySettings.UserPassword = "secret";
            document.Save(encrypted);
        }
        Assert.Contains(PdfAConformance.Check(encrypted).Violations, v => v.Clause is "6.1.3" or "6.1");
    }
}
