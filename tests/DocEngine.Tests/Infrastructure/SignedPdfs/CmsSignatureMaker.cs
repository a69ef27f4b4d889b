using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>How <see cref="CmsSignatureMaker"/> builds a CMS SignedData.</summary>
public sealed record CmsOptions
{
    /// <summary>The signer certificate with its private key (default: <see cref="TestPki.RsaSigner"/>); EdDSA signers of <see cref="TestPki"/> use their BouncyCastle key.</summary>
    public X509Certificate2? Signer { get; init; }

    /// <summary>The digest algorithm: SHA-1, SHA-256 (default), SHA-384 or SHA-512 (EdDSA signers ignore it: RFC 8419 fixes SHA-512 / SHAKE256).</summary>
    public HashAlgorithmName Digest { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>Whether the SignerInfo has signedAttrs (content-type, message-digest, ESS signing-certificate-v2, optional signing-time).</summary>
    public bool SignedAttributes { get; init; } = true;

    /// <summary>A signing-time signed attribute to add (none when null); needs <see cref="SignedAttributes"/>.</summary>
    public DateTimeOffset? SigningTime { get; init; }

    /// <summary>Whether the signer certificate goes into the CMS certificates (off: X509IncludeOption.None).</summary>
    public bool IncludeCertificates { get; init; } = true;

    /// <summary>More certificates to embed (e.g. the root) when <see cref="IncludeCertificates"/> is on.</summary>
    public IReadOnlyList<X509Certificate2> ExtraCertificates { get; init; } = [];

    /// <summary>How the SignerInfo names its certificate.</summary>
    public SubjectIdentifierType SignerIdentifier { get; init; } = SubjectIdentifierType.IssuerAndSerialNumber;

    /// <summary>RSA-PSS instead of PKCS#1 v1.5 (RSA signers only).</summary>
    public bool RsaPss { get; init; }

    /// <summary>Whether the content is carried inside the CMS as eContent (not detached).</summary>
    public bool Attached { get; init; }

    /// <summary>Whether to add an RFC 3161 signature timestamp (id-aa-signatureTimeStampToken) made by <see cref="TestTsa"/>.</summary>
    public bool Timestamp { get; init; }

    /// <summary>OCSP responses (DER OCSPResponse) for a signed adbe-revocationInfoArchival attribute.</summary>
    public IReadOnlyList<byte[]> ArchivedOcsp { get; init; } = [];

    /// <summary>CRLs (DER) for a signed adbe-revocationInfoArchival attribute.</summary>
    public IReadOnlyList<byte[]> ArchivedCrls { get; init; } = [];

}

/// <summary>Makes CMS SignedData (DER) over content bytes with System.Security.Cryptography.Pkcs (EdDSA signers: BouncyCastle, see <see cref="EdDsaCms"/>).</summary>
public static class CmsSignatureMaker
{
    /// <summary>id-aa-signatureTimeStampToken.</summary>
    public const string SignatureTimeStampTokenOid = "1.2.840.113549.1.9.16.2.14";

    /// <summary>id-aa-signingCertificateV2.</summary>
    public const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";

    /// <summary>adbe-revocationInfoArchival (ISO 32000-2 §12.8.3.3.2).</summary>
    public const string AdobeRevocationOid = "1.2.840.113583.1.1.8";

    /// <summary>RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse }.</summary>
    public static byte[] RevocationInfoArchival(IReadOnlyList<byte[]> crls, IReadOnlyList<byte[]> ocsps)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (tag, items) in new[] { (0, crls), (1, ocsps) })
            {
                if (items.Count == 0)
                {
                    continue;
                }
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, true)))
                using (writer.PushSequence())
                {
                    foreach (var item in items)
                    {
                        writer.WriteEncodedValue(item);
                    }
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>Signs <paramref name="content"/> and returns the DER ContentInfo of the SignedData.</summary>
    public static byte[] Sign(byte[] content, CmsOptions? options = null)
    {
        options ??= new CmsOptions();
        var certificate = options.Signer ?? TestPki.Shared.RsaSigner;
        if (TestPki.IsEdDsa(certificate))
        {
            return EdDsaCms.Sign(content, certificate, options);
        }
        var signer = CreateSigner(certificate, options);
        signer.DigestAlgorithm = DigestOid(options.Digest);
        signer.IncludeOption = options.IncludeCertificates ? X509IncludeOption.EndCertOnly : X509IncludeOption.None;
        if (options.IncludeCertificates)
        {
            signer.Certificates.AddRange(options.ExtraCertificates.ToArray());
        }
        if (options.SignedAttributes)
        {
            // .NET adds content-type and message-digest itself as soon as there is any signed attribute.
            signer.SignedAttributes.Add(new AsnEncodedData(SigningCertificateV2Oid, SigningCertificateV2(certificate)));
            if (options.SigningTime is { } time)
            {
                signer.SignedAttributes.Add(new Pkcs9SigningTime(time.UtcDateTime));
            }
            if (options.ArchivedOcsp.Count + options.ArchivedCrls.Count > 0)
            {
                signer.SignedAttributes.Add(new AsnEncodedData(AdobeRevocationOid, RevocationInfoArchival(options.ArchivedCrls, options.ArchivedOcsp)));
            }
        }
        var cms = new SignedCms(new ContentInfo(content), detached: !options.Attached);
        cms.ComputeSignature(signer, silent: true);
        if (options.Timestamp)
        {
            var signerInfo = cms.SignerInfos[0];
            var token = TestTsa.CreateToken(signerInfo.GetSignature(), HashAlgorithmName.SHA256);
            signerInfo.AddUnsignedAttribute(new AsnEncodedData(SignatureTimeStampTokenOid, token));
        }
        return cms.Encode();
    }

    /// <summary>
    /// A detached SignedData whose signature algorithm names one hash (<paramref name="signatureOid"/>, e.g.
    /// sha256WithRSAEncryption) while its digest algorithm and message digest use another (<paramref name="digest"/>):
    /// self-consistent, but against RFC 5754 §3. RSA signers only.
    /// </summary>
    public static byte[] SignWithMismatchedDigest(byte[] content, X509Certificate2 signer, string signatureOid, HashAlgorithmName signatureHash, HashAlgorithmName digest) =>
        SignByHand(content, signer, signatureOid, data => signer.GetRSAPrivateKey()!.SignData(data, signatureHash, RSASignaturePadding.Pkcs1),
            DigestOid(digest).Value!, digest.Name switch
            {
                "MD5" => MD5.HashData(content),
                "SHA1" => SHA1.HashData(content),
                "SHA384" => SHA384.HashData(content),
                "SHA512" => SHA512.HashData(content),
                _ => SHA256.HashData(content),
            });

    /// <summary>
    /// A detached SignedData written field by field: content-type and message-digest (<paramref name="messageDigest"/>,
    /// labelled <paramref name="digestOid"/>) signed with <paramref name="sign"/> under <paramref name="signatureOid"/>.
    /// For signatures no library makes, such as EdDSA with a digest RFC 8419 forbids.
    /// </summary>
    public static byte[] SignByHand(byte[] content, X509Certificate2 signer, string signatureOid, Func<byte[], byte[]> sign, string digestOid, byte[] messageDigest)
    {
                void Attributes(AsnWriter writer)
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.9.3");
                using (writer.PushSetOf())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                }
            }
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.9.4");
                using (writer.PushSetOf())
                {
                    writer.WriteOctetString(messageDigest);
                }
            }
        }
        var set = new AsnWriter(AsnEncodingRules.DER);
        using (set.PushSetOf())
        {
            Attributes(set);
        }
        var signature = sign(set.Encode());
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.7.2");
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    Algorithm(writer, digestOid);
                }
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                }
                writer.WriteEncodedValue(CertificateSet(signer));
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(signer.IssuerName.RawData);
                        writer.WriteIntegerUnsigned(signer.SerialNumberBytes.Span);
                    }
                    Algorithm(writer, digestOid);
                    using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    {
                        Attributes(writer);
                    }
                    Algorithm(writer, signatureOid);
                    writer.WriteOctetString(signature);
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>An AlgorithmIdentifier: NULL parameters, except none for EdDSA (RFC 8419 §2).</summary>
    private static void Algorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (oid is not (TestPki.Ed25519Oid or TestPki.Ed448Oid))
            {
                writer.WriteNull();
            }
        }
    }

    private static byte[] CertificateSet(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            writer.WriteEncodedValue(certificate.RawData);
        }
        return writer.Encode();
    }

    /// <summary>Adds an RFC 3161 signature timestamp to the first SignerInfo of an existing CMS and re-encodes it.</summary>
    public static byte[] AddSignatureTimestamp(byte[] cmsBytes, byte[]? detachedContent = null)
    {
        var cms = detachedContent is null ? new SignedCms() : new SignedCms(new ContentInfo(detachedContent), detached: true);
        cms.Decode(cmsBytes);
        var signerInfo = cms.SignerInfos[0];
        signerInfo.AddUnsignedAttribute(new AsnEncodedData(SignatureTimeStampTokenOid, TestTsa.CreateToken(signerInfo.GetSignature(), HashAlgorithmName.SHA256)));
        return cms.Encode();
    }

    /// <summary>The OID of a digest algorithm name.</summary>
    public static Oid DigestOid(HashAlgorithmName digest) => digest.Name switch
    {
        "MD5" => new Oid("1.2.840.113549.2.5"),
        "SHA1" => new Oid("1.3.14.3.2.26"),
        "SHA256" => new Oid("2.16.840.1.101.3.4.2.1"),
        "SHA384" => new Oid("2.16.840.1.101.3.4.2.2"),
        "SHA512" => new Oid("2.16.840.1.101.3.4.2.3"),
        _ => throw new ArgumentOutOfRangeException(nameof(digest), digest.Name, "Unsupported digest."),
    };

    /// <summary>The DER of an ESS SigningCertificateV2 naming <paramref name="certificate"/> by its SHA-256 hash.</summary>
    public static byte[] SigningCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    // hashAlgorithm DEFAULT sha256 is omitted in DER.
                    writer.WriteOctetString(SHA256.HashData(certificate.RawData));
                }
            }
        }
        return writer.Encode();
    }

    private static CmsSigner CreateSigner(X509Certificate2 certificate, CmsOptions options)
    {
        if (options.RsaPss)
        {
            var key = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("RSA-PSS needs an RSA signer.", nameof(options));
            return new CmsSigner(options.SignerIdentifier, certificate, key, RSASignaturePadding.Pss);
        }
        return new CmsSigner(options.SignerIdentifier, certificate);
    }
}
