using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using DocEngine.Core.Pdf;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Pdf;

/// <summary>
/// PDF inspection against the corpus manifests: encryption and passwords as qpdf and pyHanko state them, malformed files
/// recovered or refused (never a crash or a hang), signature fields as DSS, pyHanko and qpdf count them, XFA forms.
/// </summary>
public sealed partial class PdfInspectionTests
{
    public static TheoryData<string> GeneralPdfs() => new(Rows("pdf-general/"));

    public static TheoryData<string> SignedPdfs() => new(Rows("pdf-signed/"));

    [SkippableTheory]
    [MemberData(nameof(GeneralPdfs))]
    public void Each_pdf_is_read_or_refused_as_its_manifest_says_within_seconds(string name)
    {
        var entry = Entry(name);
        var clock = Stopwatch.StartNew();
        PdfFacts? facts = null;
        var refusal = Record.Exception(() => facts = Pipeline.Inspect(entry.Path).Pdf);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{name} took {clock.Elapsed}.");

        if (refusal is not null)
        {
            var docEngine = Assert.IsType<DocEngineException>(refusal);
            Assert.Equal("DAMAGED_FILE", docEngine.Reason);
            Assert.Matches("must be rejected|Malformed|error|EOF|fuzz", entry.Expected);
            return;
        }
        Assert.DoesNotMatch("must be rejected", entry.Expected);
        var password = Regex.Match(entry.Expected, "[Uu]ser(?: password| and owner password both)? \"(\\w+)\"");
        if (password.Success)
        {
            Assert.True(facts!.PasswordRequired, $"{name} should need its user password.");
            Assert.Equal(PdfEncryption.NeedsPassword, facts.Encryption);
            var opened = Pipeline.Inspect(entry.Path, password.Groups[1].Value).Pdf!;
            Assert.False(opened.PasswordRequired);
            Assert.True(opened.Pages > 0);
            if (PagesIn(entry.Expected) is { } pages)
            {
                Assert.Equal(pages, opened.Pages);
            }
            Pipeline.Refused(ErrorKind.InvalidArgument, () => Pipeline.Inspect(entry.Path, "not-the-password"), "WRONG_PASSWORD");
            return;
        }
        Assert.False(facts!.PasswordRequired);
        if (entry.Expected.Contains("EMPTY user password", StringComparison.Ordinal))
        {
            Assert.Equal(PdfEncryption.OpensWithoutPassword, facts.Encryption);
        }
        Assert.True(facts.Pages >= 1);
        Assert.Equal(facts.Pages, facts.PageSizes.Count);
        if (PagesIn(entry.Expected) is { } expectedPages)
        {
            Assert.Equal(expectedPages, facts.Pages);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SignedPdfs))]
    public void Signature_fields_are_counted_and_an_empty_placeholder_is_not_a_signature(string name)
    {
        var entry = Entry(name);
        var facts = Pipeline.Inspect(entry.Path).Pdf!;
        var (fields, signed) = entry.Expected switch
        {
            var e when e.StartsWith("Unsigned signature field", StringComparison.Ordinal) => (1, 0),
            var e when Regex.IsMatch(e, "^(2 signatures|Two fields signed|.*\\(2 signature dicts\\))") => (2, 2),
            _ => (1, 1),
        };
        Assert.Equal((fields, signed), (facts.SignatureFields, facts.SignedSignatureFields));
    }

    [SkippableFact]
    public void Xfa_forms_are_flagged_and_acroforms_are_not()
    {
        foreach (var scan in CorpusManifest.Scans().Where(s => s.Name.EndsWith(".pdf", StringComparison.Ordinal) && s.Expected is "xfa" or "acroform"))
        {
            Assert.True(Pipeline.Inspect(scan.Path).Pdf!.HasXfa == (scan.Expected == "xfa"), scan.Name);
        }
    }

    [Fact]
    public void Javascript_an_attachment_and_a_missing_text_layer_are_reported()
    {
        var facts = Pipeline.Inspect(MinimalPdf(withJavaScript: true), "form.pdf").Pdf!;
        Assert.True(facts.HasJavaScript);
        Assert.True(facts.HasEmbeddedFiles);
        Assert.False(facts.HasTextLayer);
        Assert.Equal([new PdfPageSize(595, 842, 90)], facts.PageSizes);

        var plain = Pipeline.Inspect(MinimalPdf(withJavaScript: false), "plain.pdf").Pdf!;
        Assert.False(plain.HasJavaScript);
        Assert.False(plain.HasEmbeddedFiles);
    }

    private static byte[] MinimalPdf(bool withJavaScript)
    {
        var objects = new List<string>
        {
            withJavaScript
                ? "<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> /Names << /EmbeddedFiles << /Names [(a.txt) 4 0 R] >> >> >>"
                : "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /Rotate 90 >>",
            "<< /Type /Page /Parent 2 0 R >>",
        };
        if (withJavaScript)
        {
            objects.Add("<< /Type /Filespec /F (a.txt) /EF << /F 5 0 R >> >>");
            objects.Add("<< /Type /EmbeddedFile /Length 2 >>\nstream\nhi\nendstream");
        }
        var pdf = new StringBuilder("%PDF-1.7\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append($"{offset:D10} 00000 n \n");
        }
        pdf.Append($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    private static IEnumerable<string> Rows(string prefix) =>
        RepoPaths.Shared is null ? ["(../shared absent)"] : CorpusManifest.Corpus().Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Name);

    private static CorpusManifest.Entry Entry(string name) => CorpusManifest.Corpus().Single(e => e.Name == name);

    private static int? PagesIn(string expected) =>
        Regex.Match(expected, @"\b(\d+) pages\b") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
