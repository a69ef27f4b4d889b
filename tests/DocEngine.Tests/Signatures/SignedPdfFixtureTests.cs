using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Smoke tests of the signed-PDF fixtures themselves: the hand-written form, the signer and every tamper pass
/// <c>qpdf --check</c>; poppler's pdfsig calls the untampered signatures valid and a flipped byte a mismatch; .NET accepts
/// the test TSA's tokens. External-tool checks skip loudly without the tool, and fail under CI.
/// </summary>
public sealed class SignedPdfFixtureTests
{
    [SkippableFact]
    public void The_hand_written_form_is_a_valid_pdf_with_four_fields()
    {
        var form = FormPdf.Create(new FormPdfOptions { ApplicantNameValue = "John Smith" });

        Assert.Equal(form.Fields, PdfObjectReader.Fields(form.Bytes));
        Assert.Equal(4, form.Fields.Count);
        Assert.Equal(form.Page, PdfObjectReader.FirstPage(form.Bytes));
        Assert.Single(FormPdf.Create(new FormPdfOptions { ApplicantName = false, FullNameSignature = false, Signature2 = false }).Fields);

        SignedPdfTools.Require("qpdf");
        AssertQpdfPasses(form.Bytes, "form");
        SignedPdfTools.Require("mutool");
        var (exit, fields) = SignedPdfTools.MutoolShow(form.Bytes, "trailer/Root/AcroForm/Fields");
        Assert.True(exit == 0, fields);
        Assert.Equal(4, Regex.Matches(fields, @"\d+ 0 R").Count);
    }

    [SkippableFact]
    public void Rsa_then_ecdsa_signatures_cover_their_revisions_and_pdfsig_calls_them_valid()
    {
        var form = FormPdf.Create();
        var first = PdfSigner.Sign(form.Bytes);
        var second = PdfSigner.Sign(first.Bytes, new PdfSignOptions { FieldName = "Signature2", Cms = new CmsOptions { Signer = TestPki.Shared.EcdsaSigner } });
        var ecdsaOnly = PdfSigner.Sign(form.Bytes, new PdfSignOptions { Cms = new CmsOptions { Signer = TestPki.Shared.EcdsaSigner } });

        foreach (var signed in new[] { first, second, ecdsaOnly })
        {
            Assert.Equal(0, signed.ByteRange[0]);
            Assert.Equal(signed.Bytes.Length, signed.ByteRange[2] + signed.ByteRange[3]);
            Assert.Equal((byte)'<', signed.Bytes[signed.ByteRange[1]]);
            Assert.Equal((byte)'>', signed.Bytes[signed.ByteRange[2] - 1]);
        }
        Assert.Equal(first.Bytes, second.Bytes[..first.Bytes.Length]);

        SignedPdfTools.Require("qpdf");
        AssertQpdfPasses(second.Bytes, "signed twice");
        SignedPdfTools.Require("pdfsig");
        Assert.Single(Valid(SignedPdfTools.Pdfsig(first.Bytes)));
        Assert.Equal(2, Valid(SignedPdfTools.Pdfsig(second.Bytes)).Count);
        Assert.Single(Valid(SignedPdfTools.Pdfsig(ecdsaOnly.Bytes)));
    }

    [SkippableFact]
    public void A_flipped_byte_in_the_page_text_is_a_digest_mismatch_to_pdfsig()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes);
        var flipped = Tamper.FlipByteInText(signed.Bytes);

        Assert.Equal(1, signed.Bytes.Zip(flipped).Count(pair => pair.First != pair.Second));

        SignedPdfTools.Require("pdfsig");
        var report = SignedPdfTools.Pdfsig(flipped);
        Assert.Empty(Valid(report));
        Assert.Matches("Digest Mismatch|Signature is Invalid", report);
    }

    [SkippableFact]
    public void Every_tamper_is_an_incremental_update_that_qpdf_accepts()
    {
        var twice = PdfSigner.Sign(PdfSigner.Sign(FormPdf.Create().Bytes).Bytes, new PdfSignOptions { FieldName = "Signature2" }).Bytes;
        var certified = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true, FieldMdpInclude = ["ApplicantName"] }).Bytes;
        var outputs = new Dictionary<string, (byte[] Base, byte[] Bytes)>
        {
            ["certified + FieldMDP"] = ([], certified),
            ["doc timestamp"] = (certified, PdfSigner.Sign(certified, new PdfSignOptions { FieldName = "Signature2", Kind = PdfSignatureKind.DocTimeStamp }).Bytes),
            ["append page"] = (twice, Tamper.AppendPage(twice)),
            ["sticky note"] = (twice, Tamper.AddAnnotation(twice)),
            ["free text"] = (certified, Tamper.AddAnnotation(certified, freeText: true)),
            ["fill field"] = (twice, Tamper.FillTextField(twice, "ApplicantName", "Jane Doe")),
            ["shadow content"] = (twice, Tamper.ReplaceContentStream(twice)),
            ["sneaky appearance"] = (twice, Tamper.OverwriteSharedAppearance(twice)),
            ["edit reason"] = (twice, Tamper.EditReason(twice)),
            ["resave catalog"] = (twice, Tamper.ResaveUnchanged(twice)),
        };
        foreach (var (name, (original, bytes)) in outputs)
        {
            Assert.True(bytes.Length > original.Length && original.AsSpan().SequenceEqual(bytes.AsSpan(0, original.Length)), $"{name} rewrote earlier bytes.");
        }
        Assert.Contains("Jane Doe", PdfObjectReader.ReadObject(outputs["fill field"].Bytes, PdfObjectReader.Field(twice, "ApplicantName")), StringComparison.Ordinal);

        SignedPdfTools.Require("qpdf");
        foreach (var (name, (_, bytes)) in outputs)
        {
            AssertQpdfPasses(bytes, name);
        }
    }

    [Fact]
    public void The_test_tsa_tokens_and_cms_options_satisfy_dotnet()
    {
        var data = "signature value"u8.ToArray();
        var token = TestTsa.CreateToken(data, HashAlgorithmName.SHA256);
        Assert.True(Rfc3161TimestampToken.TryDecode(token, out var decoded, out _));
        Assert.True(decoded!.VerifySignatureForData(data, out var tsa, [TestPki.Shared.Tsa]));
        Assert.Equal(TestPki.Shared.Tsa.Thumbprint, tsa!.Thumbprint);
        Assert.False(decoded.VerifySignatureForData("other"u8, out _));

        var cms = new SignedCms(new ContentInfo(data), detached: true);
        cms.Decode(CmsSignatureMaker.Sign(data, new CmsOptions { SignedAttributes = false, Timestamp = true, RsaPss = true }));
        var signer = cms.SignerInfos[0];
        signer.CheckSignature(verifySignatureOnly: true);
        Assert.Empty(signer.SignedAttributes);
        Assert.Equal("1.2.840.113549.1.1.10", signer.SignatureAlgorithm.Value);
        Assert.True(Rfc3161TimestampToken.TryDecode(signer.UnsignedAttributes[0].Values[0].RawData, out var stamp, out _));
        Assert.True(stamp!.VerifySignatureForSignerInfo(signer, out _));

        var docTimeStamp = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { Kind = PdfSignatureKind.DocTimeStamp });
        Assert.True(Rfc3161TimestampToken.TryDecode(docTimeStamp.Contents, out var docToken, out _));
        Assert.True(docToken!.VerifySignatureForData(PdfSigner.SignedContent(docTimeStamp.Bytes, docTimeStamp.ByteRange), out _));
    }

    [Fact]
    public void The_test_pki_chains_its_signers_to_the_root_and_not_the_stranger()
    {
        var pki = TestPki.Shared;
        var copy = pki.RootCopyWithSameKey();
        Assert.Equal(pki.Root.SubjectName.Name, copy.SubjectName.Name);
        Assert.Equal(pki.Root.PublicKey.EncodedKeyValue.RawData, copy.PublicKey.EncodedKeyValue.RawData);
        Assert.NotEqual(pki.Root.SerialNumber, copy.SerialNumber);
        Assert.Contains("BEGIN CERTIFICATE", pki.RootPem, StringComparison.Ordinal);
        Assert.True(pki.Tsa.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().Critical);

        Assert.True(Chains(pki.RsaSigner, pki.Root));
        Assert.True(Chains(pki.EcdsaSigner, copy));
        Assert.False(Chains(pki.Stranger, pki.Root));
        Assert.True(pki.ExpiredRsaSigner.NotAfter < DateTime.Now);
    }

    [SkippableFact]
    public void Pdfsharp_signs_a_page_that_pdfsig_calls_valid()
    {
        var signed = PdfSharpSigning.CreateSigned();

        Assert.NotNull(PdfObjectReader.ReadTrailer(signed).Id);

        SignedPdfTools.Require("qpdf");
        AssertQpdfPasses(signed, "PDFsharp");
        SignedPdfTools.Require("pdfsig");
        Assert.Single(Valid(SignedPdfTools.Pdfsig(signed)));
    }

    private static void AssertQpdfPasses(byte[] pdf, string name)
    {
        var (exit, output) = SignedPdfTools.QpdfCheck(pdf);
        Assert.True(exit is 0 or 3, $"{name}: qpdf --check exit {exit}: {output}");
    }

    private static List<string> Valid(string pdfsig) =>
        [.. pdfsig.Split('\n').Where(line => line.Contains("Signature is Valid.", StringComparison.Ordinal))];

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 anchor)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
