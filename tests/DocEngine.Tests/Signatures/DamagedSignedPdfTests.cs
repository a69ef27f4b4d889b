using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Signed PDFs whose cross-reference data is damaged are not refused: the object table is rebuilt by scanning, as qpdf,
/// MuPDF and poppler do, and each signature's integrity is reported; only a file that cannot be read at all is refused.
/// </summary>
public sealed partial class DamagedSignedPdfTests
{
    [Fact]
    public async Task A_cross_reference_table_broken_after_signing_is_rebuilt_and_the_signature_reported_broken()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes);
        var text = Encoding.Latin1.GetString(signed.Bytes);
        var xref = text.LastIndexOf("\nxref\n", StringComparison.Ordinal) + 1;
        var damaged = Encoding.Latin1.GetBytes(text[..xref] + "xrfe" + text[(xref + 4)..]); // inside the signed bytes

        var report = await SignatureVerificationTests.VerifyAsync(damaged);

        var signature = Assert.Single(report.Signatures);
        Assert.Equal((SignatureVerdict.Invalid, SignatureIntegrity.Broken), (report.Verdict, signature.Integrity));
        Assert.Contains(signature.Problems, p => p.Contains("changed after signing", StringComparison.Ordinal));
        Assert.Contains(report.Repairs, r => r.Contains("rebuilt it by scanning", StringComparison.Ordinal));
        Assert.Contains("damaged", report.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offsets_shifted_in_the_signed_cross_reference_table_are_found_by_scanning_and_the_bytes_reported_broken()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes);
        var shifted = ShiftOffsets(signed.Bytes, signed.Bytes.Length - 400, 7);

        var report = await SignatureVerificationTests.VerifyAsync(shifted);

        Assert.Equal((SignatureVerdict.Invalid, SignatureIntegrity.Broken), (report.Verdict, Assert.Single(report.Signatures).Integrity));
        Assert.NotEmpty(report.Repairs);
    }

    [Fact]
    public async Task Damage_in_an_update_written_after_signing_is_a_modification_with_the_signature_intact()
    {
        var filled = Tamper.FillTextField(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes);
        var text = Encoding.Latin1.GetString(filled);
        var xref = text.LastIndexOf("\nxref\n", StringComparison.Ordinal) + 1;
        var damaged = Encoding.Latin1.GetBytes(text[..xref] + "garbage" + text[(xref + 4)..]);

        var report = await SignatureVerificationTests.VerifyAsync(damaged);

        var signature = Assert.Single(report.Signatures);
        Assert.Equal((SignatureVerdict.Modified, SignatureIntegrity.Intact, ModificationLevel.Other), (report.Verdict, signature.Integrity, signature.ModificationLevel));
        Assert.Contains(signature.Changes, c => c.Contains("was filled in", StringComparison.Ordinal)); // what the rebuilt update changed is still named
        Assert.Contains(signature.Changes, c => c.Contains("cross-reference data written after signing is damaged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_document_whose_producer_wrote_wrong_offsets_before_it_was_signed_stays_valid_with_a_note()
    {
        var form = FormPdf.Create();
        var text = Encoding.Latin1.GetString(form.Bytes);
        // Objects 4 and 5 (content, font) listed 3 bytes off, as sloppy producers do; the signer never rereads them.
        var damaged = Regex.Replace(text, @"(?m)^(\d{10}) 00000 n \n", m => m.Index == Entry(text, 4) || m.Index == Entry(text, 5)
            ? (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 3).ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n" : m.Value);
        var signed = PdfSigner.Sign(Encoding.Latin1.GetBytes(damaged)).Bytes;

        var report = await SignatureVerificationTests.VerifyAsync(Tamper.ReplaceContentStream(signed));
        var untouched = await SignatureVerificationTests.VerifyAsync(signed);

        Assert.Equal(SignatureVerdict.Valid, untouched.Verdict);
        Assert.Equal(SignatureVerdict.Modified, report.Verdict); // changes to the misplaced objects are still seen
        Assert.Contains(report.Repairs, r => r.Contains("not where the cross-reference data says", StringComparison.Ordinal));
        Assert.Contains(report.Signatures[0].Changes, c => c.Contains("what a page shows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loop_in_the_cross_reference_chain_is_read_once_and_the_signature_still_checked()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes).Bytes;
        var root = PdfObjectReader.RootObject(signed);
        var text = new StringBuilder(Encoding.Latin1.GetString(signed));
        var first = text.Length;
        var second = first + $"xref\n0 1\n0000000000 65535 f \ntrailer << /Size 99 /Root {root} 0 R /Prev 0000000000 >>\nstartxref\n0\n%%EOF\n".Length;
        text.Append($"xref\n0 1\n0000000000 65535 f \ntrailer << /Size 99 /Root {root} 0 R /Prev {second:D10} >>\nstartxref\n0\n%%EOF\n");
        text.Append($"xref\n0 1\n0000000000 65535 f \ntrailer << /Size 99 /Root {root} 0 R /Prev {first:D10} >>\nstartxref\n{second}\n%%EOF\n");

        var report = await SignatureVerificationTests.VerifyAsync(Encoding.Latin1.GetBytes(text.ToString()));

        var signature = Assert.Single(report.Signatures);
        Assert.Equal(SignatureIntegrity.Intact, signature.Integrity);
        Assert.Equal(SignatureVerdict.Modified, report.Verdict); // the updates after signing cannot be read as written
        Assert.NotEmpty(report.Repairs);
    }

    [Theory]
    [InlineData("cut to its header")]
    [InlineData("objects but no catalog")]
    public async Task A_file_that_cannot_be_read_at_all_is_still_refused(string damage)
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes).Bytes;
        var bytes = damage == "cut to its header"
            ? signed[..30]
            : Encoding.Latin1.GetBytes("%PDF-1.7\n4 0 obj << /Length 2 >> stream\nq\nendstream endobj\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 5 >>\nstartxref\n60\n%%EOF\n");

        var refusal = await Assert.ThrowsAsync<DocEngine.Core.Common.DocEngineException>(() => SignatureVerificationTests.VerifyAsync(bytes));

        Assert.Equal("PDF_STRUCTURE_UNREADABLE", refusal.Reason);
        Assert.EndsWith(".", refusal.Message, StringComparison.Ordinal);
    }

    /// <summary>Adds <paramref name="by"/> to every in-use offset of the xref table that starts after <paramref name="from"/>.</summary>
    private static byte[] ShiftOffsets(byte[] pdf, int from, int by)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var xref = text.IndexOf("\nxref\n", from, StringComparison.Ordinal);
        var end = text.IndexOf("trailer", xref, StringComparison.Ordinal);
        var table = EntryRegex().Replace(text[xref..end], m =>
            (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + by).ToString("D10", CultureInfo.InvariantCulture) + " 00000 n");
        return Encoding.Latin1.GetBytes(text[..xref] + table + text[end..]);
    }

    private static int Entry(string text, int number)
    {
        var xref = text.LastIndexOf("\nxref\n", StringComparison.Ordinal) + "\nxref\n0 ".Length;
        var firstEntry = text.IndexOf('\n', xref) + 1;
        return firstEntry + number * 20;
    }

    [GeneratedRegex(@"(\d{10}) 00000 n")]
    private static partial Regex EntryRegex();
}
