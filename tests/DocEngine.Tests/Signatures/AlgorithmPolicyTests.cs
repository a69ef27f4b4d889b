using System.Security.Cryptography;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Which digest goes with which signature algorithm (RFC 8419 for EdDSA, RFC 5754 for hash-named RSA/ECDSA/DSA
/// algorithms), and which digests are refused (MD5; SHA-1 for signatures made from 2016 on). Each signature here is
/// mathematically sound — a verifier that only checks the maths would call it valid.
/// </summary>
public sealed class AlgorithmPolicyTests
{
    private const string Sha256 = "2.16.840.1.101.3.4.2.1";
    private const string Sha512 = "2.16.840.1.101.3.4.2.3";
    private const string Shake256Plain = "2.16.840.1.101.3.4.2.12";

    [Theory]
    [InlineData("Ed25519", Sha256, "must use the SHA-512 digest (RFC 8419")]
    [InlineData("Ed448", Sha512, "must use the SHAKE256 digest with a 512-bit output (RFC 8419")]
    [InlineData("Ed448", Shake256Plain, "must use the SHAKE256 digest with a 512-bit output (RFC 8419")]
    public async Task An_eddsa_signature_with_another_digest_than_rfc_8419_names_is_invalid(string algorithm, string digest, string problem)
    {
        var signer = algorithm == "Ed25519" ? TestPki.Shared.Ed25519Signer : TestPki.Shared.Ed448Signer;
        var bytes = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions
        {
            CmsFactory = content => CmsSignatureMaker.SignByHand(content, signer, signer.PublicKey.Oid.Value!, data => EdDsaSign(signer, data), digest, digest switch
            {
                Sha256 => SHA256.HashData(content),
                Sha512 => SHA512.HashData(content),
                _ => Shake256.HashData(content, 64),
            }),
        }).Bytes;

        var report = await SignatureVerificationTests.VerifyAsync(bytes);

        Assert.Equal((SignatureVerdict.Invalid, SignatureIntegrity.Malformed), (report.Verdict, report.Signatures[0].Integrity));
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    private static byte[] EdDsaSign(System.Security.Cryptography.X509Certificates.X509Certificate2 signer, byte[] data)
    {
        Org.BouncyCastle.Crypto.ISigner engine = signer.PublicKey.Oid.Value == TestPki.Ed25519Oid
            ? new Org.BouncyCastle.Crypto.Signers.Ed25519Signer()
            : new Org.BouncyCastle.Crypto.Signers.Ed448Signer([]);
        engine.Init(true, TestPki.Shared.EdDsaPrivateKey(signer));
        engine.BlockUpdate(data, 0, data.Length);
        return engine.GenerateSignature();
    }

    [Theory]
    [InlineData("1.2.840.113549.1.1.11", "SHA256", "SHA384")]
    [InlineData("1.2.840.113549.1.1.13", "SHA512", "SHA256")]
    public async Task A_signature_algorithm_that_names_another_hash_than_the_digest_is_invalid(string signatureOid, string signatureHash, string digest)
    {
        var bytes = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions
        {
            CmsFactory = content => CmsSignatureMaker.SignWithMismatchedDigest(content, TestPki.Shared.RsaSigner, signatureOid, new HashAlgorithmName(signatureHash), new HashAlgorithmName(digest)),
        }).Bytes;
        var matched = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions
        {
            CmsFactory = content => CmsSignatureMaker.SignWithMismatchedDigest(content, TestPki.Shared.RsaSigner, signatureOid, new HashAlgorithmName(signatureHash), new HashAlgorithmName(signatureHash)),
        }).Bytes;

        var report = await SignatureVerificationTests.VerifyAsync(bytes);
        var control = await SignatureVerificationTests.VerifyAsync(matched);

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains("RFC 5754", StringComparison.Ordinal));
        Assert.Equal(SignatureVerdict.Valid, control.Verdict); // the same hand-made CMS with matching hashes is fine
    }

    [Fact]
    public async Task An_md5_signature_is_refused_whatever_its_date()
    {
        var bytes = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions
        {
            SigningTime = "D:20100101000000Z",
            CmsFactory = content => CmsSignatureMaker.SignWithMismatchedDigest(content, TestPki.Shared.RsaSigner, "1.2.840.113549.1.1.4", HashAlgorithmName.MD5, HashAlgorithmName.MD5),
        }).Bytes;

        var report = await SignatureVerificationTests.VerifyAsync(bytes);

        Assert.Equal((SignatureVerdict.Invalid, SignatureIntegrity.Unsupported), (report.Verdict, report.Signatures[0].Integrity));
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains("MD5", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("D:20150601000000Z", SignatureIntegrity.Intact)]
    [InlineData("D:20160601000000Z", SignatureIntegrity.Unsupported)]
    public async Task Sha1_is_accepted_for_signatures_made_before_2016_and_refused_after(string signingTime, SignatureIntegrity integrity)
    {
        var bytes = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { SigningTime = signingTime, Cms = new CmsOptions { Digest = HashAlgorithmName.SHA1 } }).Bytes;

        var report = await SignatureVerificationTests.VerifyAsync(bytes);

        Assert.Equal(integrity, report.Signatures[0].Integrity);
        Assert.Equal("SHA-1", report.Signatures[0].DigestAlgorithm);
    }
}
