using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Every signed PDF in ../shared/corpus/pdf-signed against what its source project asserts (the manifest), and against
/// poppler's pdfsig: where the two verdicts differ, the case names who is right and why. Skipped loudly without ../shared.
/// </summary>
public sealed class SignatureCorpusTests
{
    /// <summary>What the manifest asserts, as verdicts: the phrase each manifest line must contain keeps this table honest.</summary>
    public static TheoryData<string, string, SignatureVerdict, string> Corpus => new()
    {
        { "dss__doc-firmado.pdf", "crypto valid", SignatureVerdict.ValidUntrusted, "Intact,Intact:DocumentTimestamp" },
        { "dss__hello_signed_INCSAVE_signed.pdf", "both valid + intact", SignatureVerdict.ValidUntrusted, "Intact,Intact" },
        { "dss__pades-bes.pdf", "valid + intact, whole document", SignatureVerdict.ValidUntrusted, "Intact:EntireFile" },
        { "dss__pdf-with-empty-sig.pdf", "field present, not signed", SignatureVerdict.NotSigned, "" },
        { "dss__pkcs7.pdf", "crypto valid + intact", SignatureVerdict.ValidUntrusted, "Intact:Timestamped" },
        { "pyhanko__minimal-two-fields-signed-twice.pdf", "later changes = form filling", SignatureVerdict.ValidUntrusted, "Intact:FormFilling,Intact" },
        { "qpdf__digitally-signed.pdf", "covering the whole file: valid + intact", SignatureVerdict.ValidUntrusted, "Intact:EntireFile" },
    };

    [SkippableFact]
    public void Every_signed_corpus_file_is_in_the_table()
    {
        var files = CorpusManifest.Corpus().Where(e => e.Name.StartsWith("pdf-signed/", StringComparison.Ordinal)).Select(e => e.Name["pdf-signed/".Length..]);
        Assert.Equal(files.Order(), Corpus.Select(row => (string)row[0]).Order());
    }

    [SkippableTheory]
    [MemberData(nameof(Corpus))]
    public async Task Each_signed_corpus_file_gets_the_verdict_its_source_asserts(string file, string manifestPhrase, SignatureVerdict verdict, string signatures)
    {
        var path = CorpusManifest.File("corpus", "pdf-signed/" + file);
        Assert.Contains(manifestPhrase, CorpusManifest.Expected(path), StringComparison.OrdinalIgnoreCase);

        var report = await SignatureVerificationTests.VerifyAsync(await File.ReadAllBytesAsync(path), TrustAnchors.None);

        Assert.Equal(verdict, report.Verdict);
        var expected = signatures.Length == 0 ? [] : signatures.Split(',');
        Assert.Equal(expected.Length, report.Signatures.Count);
        foreach (var (signature, facts) in report.Signatures.Zip(expected))
        {
            var parts = facts.Split(':');
            Assert.Equal(Enum.Parse<SignatureIntegrity>(parts[0]), signature.Integrity);
            Assert.NotEqual(SignerTrust.Trusted, signature.Trust); // the manifest: no anchor supplied, never "trusted"
            foreach (var fact in parts.Skip(1))
            {
                switch (fact)
                {
                    case "DocumentTimestamp":
                        Assert.Equal(SignatureKind.DocumentTimestamp, signature.Kind);
                        break;
                    case "EntireFile":
                        Assert.Equal(SignatureCoverage.EntireFile, signature.Coverage);
                        break;
                    case "Timestamped":
                        Assert.True(signature.Timestamp?.Verified, "the signature time-stamp verifies");
                        break;
                    case "FormFilling":
                        Assert.Equal(ModificationLevel.FormFilling, signature.ModificationLevel);
                        break;
                }
            }
        }
        if (verdict == SignatureVerdict.NotSigned)
        {
            Assert.Equal(["Signature1"], report.UnsignedSignatureFields);
        }
    }

    /// <summary>
    /// Cases where pdfsig and DocEngine see the same file differently. Each row: pdfsig's words, our verdict, and why
    /// ours is the right one. pdfsig checks each signature's digest and signature only: it does no difference analysis,
    /// cannot check document time-stamps, and judges certificates at today's date against the system store.
    /// </summary>
    public static TheoryData<string, string, SignatureVerdict, string> Disagreements => new()
    {
        { "corpus:dss__doc-firmado.pdf", "Unable to validate this type of signature", SignatureVerdict.ValidUntrusted,
            "pdfsig cannot check the ETSI.RFC3161 document time-stamp; its imprint and signature do verify (DSS asserts crypto valid)" },
        { "corpus:dss__pdf-with-empty-sig.pdf", "Unknown Validation Failure", SignatureVerdict.NotSigned,
            "the zero-filled /Contents is a field prepared for signing, not a broken signature (DSS uses it as the document to sign)" },
        { "tamper:append-page", "Signature is Valid.", SignatureVerdict.Modified,
            "a page was added after signing; the signed revision is intact but the document shown is not what was signed" },
        { "tamper:replace-content", "Signature is Valid.", SignatureVerdict.Modified,
            "the page content stream was replaced after signing (shadow attack)" },
        { "tamper:edit-reason", "Signature is Valid.", SignatureVerdict.Modified,
            "the signature dictionary's /Reason was altered after signing" },
        { "tamper:annotation-after-p2", "Signature is Valid.", SignatureVerdict.Modified,
            "the certification (DocMDP P=2) forbids annotations; one was added" },
    };

    [SkippableTheory]
    [MemberData(nameof(Disagreements))]
    public async Task Where_pdfsig_disagrees_the_case_names_who_is_right(string input, string pdfsigSays, SignatureVerdict ours, string why)
    {
        SignedPdfTools.Require("pdfsig");
        var bytes = input.Split(':') switch
        {
            ["corpus", var file] => await File.ReadAllBytesAsync(CorpusManifest.File("corpus", "pdf-signed/" + file)),
            [_, "append-page"] => Tamper.AppendPage(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes),
            [_, "replace-content"] => Tamper.ReplaceContentStream(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes),
            [_, "edit-reason"] => Tamper.EditReason(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes),
            _ => Tamper.AddAnnotation(PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true, DocMdpPermissions = 2 }).Bytes),
        };

        var pdfsig = SignedPdfTools.Pdfsig(bytes);
        var report = await SignatureVerificationTests.VerifyAsync(bytes, TrustAnchors.None);

        Assert.True(pdfsig.Contains(pdfsigSays, StringComparison.Ordinal), $"pdfsig no longer says \"{pdfsigSays}\":\n{pdfsig}");
        Assert.True(ours == report.Verdict, $"DocEngine should say {ours} because {why}; it says {report.Verdict}.");
    }

    [SkippableFact]
    public async Task Where_pdfsig_and_docengine_agree_both_find_the_same_signatures_intact_or_broken()
    {
        SignedPdfTools.Require("pdfsig");
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes).Bytes;
        foreach (var (name, bytes, intact) in new[] { ("signed", signed, true), ("flipped byte", Tamper.FlipByteInText(signed), false) })
        {
            var pdfsig = SignedPdfTools.Pdfsig(bytes);
            var report = await SignatureVerificationTests.VerifyAsync(bytes, TrustAnchors.None);

            Assert.True(pdfsig.Contains("Signature is Valid.", StringComparison.Ordinal) == intact, name + ": " + pdfsig);
            Assert.Equal(intact ? SignatureIntegrity.Intact : SignatureIntegrity.Broken, report.Signatures[0].Integrity);
        }
    }
}
