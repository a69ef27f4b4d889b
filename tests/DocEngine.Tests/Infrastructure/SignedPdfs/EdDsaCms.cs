using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Operators.Utilities;
using Org.BouncyCastle.Security;
using SubjectIdentifierType = System.Security.Cryptography.Pkcs.SubjectIdentifierType;
using BcAttribute = Org.BouncyCastle.Asn1.Cms.Attribute;
using BcAttributeTable = Org.BouncyCastle.Asn1.Cms.AttributeTable;
using BcContentInfo = Org.BouncyCastle.Asn1.Cms.ContentInfo;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>RFC 8419 CMS SignedData for the EdDSA test signers, made with BouncyCastle's CmsSignedDataGenerator.</summary>
public static class EdDsaCms
{
    /// <summary>id-shake256-len (RFC 8419's Ed448 digest, with an output length parameter of 512 bits).</summary>
    public const string Shake256LenOid = "2.16.840.1.101.3.4.2.18";

    /// <summary>Signs <paramref name="content"/> with an EdDSA certificate of <see cref="TestPki.Shared"/> and returns the DER ContentInfo.</summary>
    public static byte[] Sign(byte[] content, X509Certificate2 certificate, CmsOptions options)
    {
        var ed448 = certificate.PublicKey.Oid.Value == TestPki.Ed448Oid;
        var bcCertificate = DotNetUtilities.FromX509Certificate(certificate);
        var builder = new SignerInfoGeneratorBuilder();
        builder = options.SignedAttributes
            ? builder.WithSignedAttributeGenerator(new SignedAttributes(certificate, options.SigningTime))
            : builder.SetDirectSignature(true);
        var factory = new Asn1SignatureFactory(ed448 ? "Ed448" : "Ed25519", TestPki.Shared.EdDsaPrivateKey(certificate));
        var signerInfo = options.SignerIdentifier == SubjectIdentifierType.SubjectKeyIdentifier
            ? builder.Build(factory, certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray())
            : builder.Build(factory, bcCertificate);

        // BouncyCastle's digest finder picks SHA-512 for Ed25519 but cannot compute id-shake256-len for Ed448:
        // digest with plain id-shake256 (same 64 bytes) and relabel it afterwards.
        var generator = new CmsSignedDataGenerator { DigestAlgorithmFinder = new EdDsaDigestFinder() };
        generator.AddSignerInfoGenerator(signerInfo);
        if (options.IncludeCertificates)
        {
            generator.AddCertificate(bcCertificate);
            foreach (var extra in options.ExtraCertificates)
            {
                generator.AddCertificate(DotNetUtilities.FromX509Certificate(extra));
            }
        }
        var signed = generator.Generate(new CmsProcessableByteArray(content), options.Attached);
        if (options.Timestamp)
        {
            // Added afterwards: BouncyCastle's builder drops unsigned attribute generators for direct signatures.
            var signer = signed.GetSignerInfos().GetSigners().Single();
            var token = TestTsa.CreateToken(signer.GetSignature(), HashAlgorithmName.SHA256);
            var attribute = new BcAttribute(new DerObjectIdentifier(CmsSignatureMaker.SignatureTimeStampTokenOid), new DerSet(Asn1Object.FromByteArray(token)));
            var stamped = SignerInformation.ReplaceUnsignedAttributes(signer, new BcAttributeTable(new Asn1EncodableVector(attribute)));
            signed = CmsSignedData.ReplaceSigners(signed, new SignerInformationStore(stamped));
        }
        var contentInfo = signed.ContentInfo;
        return (ed448 ? RelabelShake256(contentInfo) : contentInfo).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>The RFC 8419 digest AlgorithmIdentifier for Ed448: id-shake256-len with INTEGER 512.</summary>
    public static AlgorithmIdentifier Shake256Len512 => new(new DerObjectIdentifier(Shake256LenOid), DerInteger.ValueOf(512));

    private static BcContentInfo RelabelShake256(BcContentInfo contentInfo)
    {
        var signedData = SignedData.GetInstance(contentInfo.Content);
        var signerInfos = signedData.SignerInfos.Cast<Asn1Encodable>().Select(SignerInfo.GetInstance).Select(info =>
            info.DigestAlgorithm.Algorithm.Equals(NistObjectIdentifiers.IdShake256)
                ? new SignerInfo(info.SignerID, Shake256Len512, info.SignedAttrs, info.SignatureAlgorithm, info.Signature, info.UnsignedAttrs)
                : info);
        var relabeled = new SignedData(new DerSet(Shake256Len512), signedData.EncapContentInfo, signedData.Certificates, signedData.CRLs,
            new DerSet(signerInfos.ToArray<Asn1Encodable>()));
        return new BcContentInfo(CmsObjectIdentifiers.SignedData, relabeled);
    }

    /// <summary>Content-type, message-digest, ESS signing-certificate-v2 and an optional signing-time, like the .NET path.</summary>
    private sealed class SignedAttributes(X509Certificate2 certificate, DateTimeOffset? signingTime) : CmsAttributeTableGenerator
    {
        public BcAttributeTable GetAttributes(IDictionary<CmsAttributeTableParameter, object> parameters)
        {
            var attributes = new Asn1EncodableVector
            {
                new BcAttribute(CmsAttributes.ContentType, new DerSet((DerObjectIdentifier)parameters[CmsAttributeTableParameter.ContentType])),
                new BcAttribute(CmsAttributes.MessageDigest, new DerSet(new DerOctetString((byte[])parameters[CmsAttributeTableParameter.Digest]))),
                new BcAttribute(new DerObjectIdentifier(CmsSignatureMaker.SigningCertificateV2Oid),
                    new DerSet(Asn1Object.FromByteArray(CmsSignatureMaker.SigningCertificateV2(certificate)))),
            };
            if (signingTime is { } time)
            {
                attributes.Add(new BcAttribute(CmsAttributes.SigningTime, new DerSet(new Org.BouncyCastle.Asn1.Cms.Time(time.UtcDateTime))));
            }
            return new BcAttributeTable(attributes);
        }
    }

    /// <summary>SHA-512 for Ed25519 and plain id-shake256 (64-byte output) for Ed448; everything else as BouncyCastle's default.</summary>
    private sealed class EdDsaDigestFinder : IDigestAlgorithmFinder
    {
        public AlgorithmIdentifier Find(AlgorithmIdentifier signatureAlgorithm) => Find(signatureAlgorithm.Algorithm);

        public AlgorithmIdentifier Find(DerObjectIdentifier signatureOid) => signatureOid.Id switch
        {
            TestPki.Ed25519Oid => new AlgorithmIdentifier(NistObjectIdentifiers.IdSha512),
            TestPki.Ed448Oid => new AlgorithmIdentifier(NistObjectIdentifiers.IdShake256),
            _ => DefaultDigestAlgorithmFinder.Instance.Find(signatureOid),
        };

        public AlgorithmIdentifier Find(string digestName) => DefaultDigestAlgorithmFinder.Instance.Find(digestName);
    }
}
