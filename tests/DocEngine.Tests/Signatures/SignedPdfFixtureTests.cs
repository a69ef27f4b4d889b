using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using Xunit.Abstractions;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Smoke tests of the signed-PDF fixtures themselves: the hand-written form, the signer and every tamper pass
/// <c>qpdf --check</c>; poppler's pdfsig calls the untampered signatures valid and a flipped byte a mismatch; .NET accepts
/// the test TSA's tokens. External-tool checks skip loudly without the tool, and fail under CI.
/// </summary>
public sealed class SignedPdfFixtureTests(ITestOutputHelper output)
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

    [SkippableTheory]
    [InlineData("Ed25519", "2.16.840.1.101.3.4.2.3")]
    [InlineData("Ed448", EdDsaCms.Shake256LenOid)]
    public void Eddsa_signers_chain_to_the_root_and_make_rfc8419_cms_that_bouncycastle_verifies(string algorithm, string digestOid)
    {
        var pki = TestPki.Shared;
        var certificate = algorithm == "Ed25519" ? pki.Ed25519Signer : pki.Ed448Signer;
        var data = "signed bytes"u8.ToArray();
        Assert.True(Chains(certificate, pki.Root));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Same(algorithm == "Ed25519" ? pki.Ed25519PrivateKey : pki.Ed448PrivateKey, pki.EdDsaPrivateKey(certificate));

        var cms = new Org.BouncyCastle.Cms.CmsSignedData(new Org.BouncyCastle.Cms.CmsProcessableByteArray(data), CmsSignatureMaker.Sign(data, new CmsOptions { Signer = certificate }));
        var signer = cms.GetSignerInfos().GetSigners().Single();
        Assert.Equal(digestOid, signer.DigestAlgorithmID.Algorithm.Id);
        Assert.Equal(certificate.PublicKey.Oid.Value, signer.SignatureAlgorithm.Algorithm.Id);
        Assert.Equal([CmsSignatureMaker.SigningCertificateV2Oid, "1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4"],
            signer.SignedAttributes.ToAsn1EncodableVector().Cast<Org.BouncyCastle.Asn1.Cms.Attribute>().Select(a => a.AttrType.Id).Order(StringComparer.Ordinal));
        Assert.Equal(certificate.RawData, cms.GetCertificates().EnumerateMatches(null).Single().GetEncoded());
        var bcCertificate = Org.BouncyCastle.Security.DotNetUtilities.FromX509Certificate(certificate);
        if (algorithm == "Ed25519")
        {
            Assert.True(signer.Verify(bcCertificate));
            var directOptions = new CmsOptions { Signer = certificate, SignedAttributes = false, Timestamp = true, SignerIdentifier = SubjectIdentifierType.SubjectKeyIdentifier };
            var direct = new Org.BouncyCastle.Cms.CmsSignedData(new Org.BouncyCastle.Cms.CmsProcessableByteArray(data), CmsSignatureMaker.Sign(data, directOptions)).GetSignerInfos().GetSigners().Single();
            Assert.Null(direct.SignedAttributes);
            Assert.NotNull(direct.UnsignedAttributes[new Org.BouncyCastle.Asn1.DerObjectIdentifier(CmsSignatureMaker.SignatureTimeStampTokenOid)]);
            Assert.True(direct.Verify(bcCertificate));
        }
        else
        {
            // BouncyCastle's CMS verifier does not know id-shake256-len: check the RFC 8419 Ed448 parts by hand.
            Assert.Equal(Org.BouncyCastle.Asn1.DerInteger.ValueOf(512), signer.DigestAlgorithmID.Parameters);
            var shake = new Org.BouncyCastle.Crypto.Digests.ShakeDigest(256);
            shake.BlockUpdate(data, 0, data.Length);
            var digest = new byte[64];
            shake.OutputFinal(digest, 0, 64);
            var messageDigest = signer.SignedAttributes[Org.BouncyCastle.Asn1.Cms.CmsAttributes.MessageDigest].AttrValues[0];
            Assert.Equal(digest, Org.BouncyCastle.Asn1.Asn1OctetString.GetInstance(messageDigest).GetOctets());
            var verifier = new Org.BouncyCastle.Crypto.Signers.Ed448Signer([]);
            verifier.Init(false, bcCertificate.GetPublicKey());
            var signedAttributes = signer.GetEncodedSignedAttributes();
            verifier.BlockUpdate(signedAttributes, 0, signedAttributes.Length);
            Assert.True(verifier.VerifySignature(signer.GetSignature()));
        }

        var signed = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { Cms = new CmsOptions { Signer = certificate } });
        SignedPdfTools.Require("pdfsig");
        var report = SignedPdfTools.Pdfsig(signed.Bytes);
        output.WriteLine($"pdfsig on an {algorithm} signature (poppler/NSS may not verify EdDSA):\n{report}");
        Assert.Contains($"Test Signer {algorithm}", report, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("aes256", 6, "AESv3")]
    [InlineData("aes128", 4, "AESv2")]
    [InlineData("rc4", 3, null)]
    public void An_encrypted_form_signed_as_an_incremental_update_is_valid_to_pdfsig_and_qpdf(string method, int revision, string? crypt)
    {
        SignedPdfTools.Require("qpdf");
        var signed = EncryptedSignedPdf.Create("applicant", method);

        var trailer = PdfObjectReader.ReadTrailer(signed);
        Assert.NotNull(trailer.Encrypt);
        var field = PdfObjectReader.ReadObject(signed, EncryptedSignedPdf.FieldObject(signed, "applicant", "Signature1"));
        var signature = PdfObjectReader.Reference(field, "V") ?? throw new Xunit.Sdk.XunitException("The field has no /V.");
        Assert.NotNull(PdfObjectReader.ObjectOffset(signed, signature));
        Assert.StartsWith("<< /Type /Sig", PdfObjectReader.ReadObject(signed, signature), StringComparison.Ordinal);
        Assert.DoesNotContain("/M (", PdfObjectReader.ReadObject(signed, signature), StringComparison.Ordinal);

        var (checkExit, checkOut, checkErr) = SignedPdfTools.Run("qpdf", signed, "--password=applicant", "--check");
        Assert.True(checkExit == 0, $"qpdf --check exit {checkExit}: {checkOut}{checkErr}");
        // qpdf names a crypt filter method for V4/V5 (AES) only; RC4-128 is V2 R3 without crypt filters.
        var encryption = SignedPdfTools.Run("qpdf", signed, "--password=applicant", "--show-encryption").Stdout;
        Assert.StartsWith($"R = {revision}\n", encryption, StringComparison.Ordinal);
        Assert.Contains(crypt is null ? "User password = applicant" : $"file encryption method: {crypt}", encryption, StringComparison.Ordinal);
        SignedPdfTools.Require("pdfsig");
        var (_, report, reportErr) = SignedPdfTools.Run("pdfsig", signed, "-upw", "applicant");
        output.WriteLine($"pdfsig -upw applicant ({method}):\n{report}{reportErr}");
        Assert.Single(Valid(report));
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
