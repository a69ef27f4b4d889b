using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>A test time-stamping authority that makes RFC 3161 TimeStampTokens signed by <see cref="TestPki.Tsa"/>.</summary>
public static class TestTsa
{
    /// <summary>id-ct-TSTInfo.</summary>
    public const string TstInfoOid = "1.2.840.113549.1.9.16.1.4";

    /// <summary>The TSA policy OID written into every TSTInfo.</summary>
    public const string PolicyOid = "1.2.3.4.1";

    private static long _serial = 1;

    /// <summary>A TimeStampToken (DER ContentInfo) whose message imprint is the <paramref name="digest"/> hash of <paramref name="data"/>.</summary>
    public static byte[] CreateToken(ReadOnlySpan<byte> data, HashAlgorithmName digest, DateTimeOffset? genTime = null, X509Certificate2? tsa = null) =>
        CreateTokenForHash(Hash(data, digest), digest, genTime, tsa);

    /// <summary>A TimeStampToken (DER ContentInfo) over an already computed message imprint hash.</summary>
    public static byte[] CreateTokenForHash(ReadOnlySpan<byte> hash, HashAlgorithmName digest, DateTimeOffset? genTime = null, X509Certificate2? tsa = null)
    {
        tsa ??= TestPki.Shared.Tsa;
        var tstInfo = TstInfo(hash, digest, genTime ?? DateTimeOffset.UtcNow);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, tsa)
        {
            DigestAlgorithm = CmsSignatureMaker.DigestOid(HashAlgorithmName.SHA256),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.SignedAttributes.Add(new AsnEncodedData(CmsSignatureMaker.SigningCertificateV2Oid, CmsSignatureMaker.SigningCertificateV2(tsa)));
        var cms = new SignedCms(new ContentInfo(new Oid(TstInfoOid), tstInfo), detached: false);
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }

    /// <summary>The DER TSTInfo: version 1, <see cref="PolicyOid"/>, message imprint, a fresh serial, genTime, no nonce.</summary>
    public static byte[] TstInfo(ReadOnlySpan<byte> hash, HashAlgorithmName digest, DateTimeOffset genTime)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteObjectIdentifier(PolicyOid);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(CmsSignatureMaker.DigestOid(digest).Value!);
                    writer.WriteNull();
                }
                writer.WriteOctetString(hash);
            }
            writer.WriteInteger(new BigInteger(Interlocked.Increment(ref _serial)) + (BigInteger.One << 40));
            writer.WriteGeneralizedTime(genTime.ToUniversalTime(), omitFractionalSeconds: true);
        }
        return writer.Encode();
    }

    private static byte[] Hash(ReadOnlySpan<byte> data, HashAlgorithmName digest) => digest.Name switch
    {
        "SHA1" => SHA1.HashData(data),
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        "SHA512" => SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(digest), digest.Name, "Unsupported digest."),
    };
}
