using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>Hostile input: damaged signed PDFs and every malformed corpus PDF get a report or a sentence, never a crash or a hang.</summary>
public sealed class SignatureRobustnessTests
{
    [Fact]
    public async Task Hundreds_of_damaged_signed_pdfs_each_get_a_report_or_a_refusal_with_a_sentence()
    {
        var signed = PdfSigner.Sign(PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true }).Bytes,
            new PdfSignOptions { FieldName = "Signature2", Cms = new CmsOptions { Timestamp = true } }).Bytes;
        var random = new Random(20261125);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var damaged = signed.ToArray();
            switch (i % 3)
            {
                case 0: // flip a few bytes anywhere
                    for (var k = 0; k < 1 + random.Next(4); k++)
                    {
                        damaged[random.Next(damaged.Length)] ^= (byte)(1 + random.Next(255));
                    }
                    break;
                case 1: // cut the file short
                    damaged = damaged[..random.Next(16, damaged.Length)];
                    break;
                default: // overwrite a stretch with a structural character
                    var at = random.Next(damaged.Length - 64);
                    Array.Fill(damaged, (byte)"<>[]()/0 R\n"[random.Next(11)], at, 1 + random.Next(64));
                    break;
            }
            string outcome;
            try
            {
                var report = await SignatureVerificationTests.VerifyAsync(damaged);
                Assert.False(string.IsNullOrWhiteSpace(report.Explanation));
                outcome = report.Verdict.ToString();
            }
            catch (DocEngineException refusal)
            {
                Assert.EndsWith(".", refusal.Message);
                outcome = refusal.Reason;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Console.WriteLine("Damaged signed PDFs: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        Assert.True(outcomes.GetValueOrDefault("Invalid") + outcomes.GetValueOrDefault("PDF_STRUCTURE_UNREADABLE") > 150, "most damage must be caught");
    }

    [SkippableFact]
    public async Task Every_pdf_in_the_corpus_gets_a_report_or_a_refusal_with_a_sentence()
    {
        var pdfs = CorpusManifest.Corpus().Concat(CorpusManifest.Scans()).Where(e => e.Name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(pdfs);
        foreach (var entry in pdfs)
        {
            try
            {
                var report = await SignatureVerificationTests.VerifyAsync(await File.ReadAllBytesAsync(entry.Path), TrustAnchors.None, CorpusManifest.Password(entry.Path));
                Assert.True(report.Verdict is SignatureVerdict.NotSigned or SignatureVerdict.ValidUntrusted, $"{entry.Name}: {report.Verdict}");
            }
            catch (DocEngineException refusal)
            {
                Assert.True(refusal.Reason is "PDF_STRUCTURE_UNREADABLE" or "NOT_A_PDF" or "PASSWORD_REQUIRED", $"{entry.Name}: {refusal.Reason} {refusal.Message}");
                Assert.Matches("(?i)malformed|fuzz|startxref|reject|encrypt|password|eof|token|xref|not a|Invalid|object", entry.Expected);
            }
        }
    }
}
