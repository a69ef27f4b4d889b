using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Core.Signatures.Cms;

/// <summary>
/// A CMS SignedData (RFC 5652 §5) read field by field, keeping the raw signed attributes so the signature can be checked
/// over exactly the bytes the signer hashed. BER (indefinite lengths) is accepted, as Adobe and older signers write it.
/// </summary>
internal sealed record CmsSignedData(
    string EContentType,
    byte[]? EContent,
    IReadOnlyList<X509Certificate2> Certificates,
    IReadOnlyList<ReadOnlyMemory<byte>> Crls,
    IReadOnlyList<(string Format, ReadOnlyMemory<byte> Value)> OtherRevocationEntries,
    IReadOnlyList<CmsSignerInfo> Signers,
    int EncodedLength)
{
    public const string IdData = "1.2.840.113549.1.7.1";
    public const string IdSignedData = "1.2.840.113549.1.7.2";
    public const string IdTstInfo = "1.2.840.113549.1.9.16.1.4";

    /// <summary>Reads a ContentInfo holding SignedData; trailing bytes (a /Contents placeholder's zeros) are not read.</summary>
    public static CmsSignedData Parse(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out _, out _, out var length);
            var contentInfo = new AsnReader(encoded[..length], AsnEncodingRules.BER).ReadSequence();
            var contentType = contentInfo.ReadObjectIdentifier();
            if (contentType != IdSignedData)
            {
                throw new CmsFormatException($"the signature is a CMS {contentType} structure, not SignedData");
            }
            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            signedData.ReadInteger(); // version
            signedData.ReadSetOf(); // digestAlgorithms; each SignerInfo names its own
            var encapsulated = signedData.ReadSequence();
            var eContentType = encapsulated.ReadObjectIdentifier();
            byte[]? eContent = null;
            if (encapsulated.HasData)
            {
                var explicitContent = encapsulated.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
                eContent = explicitContent.ReadOctetString();
            }
            var certificates = new List<X509Certificate2>();
            var crls = new List<ReadOnlyMemory<byte>>();
            var other = new List<(string, ReadOnlyMemory<byte>)>();
            if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                var set = signedData.ReadSetOf(true, new Asn1Tag(TagClass.ContextSpecific, 0, true));
                while (set.HasData)
                {
                    var certificate = set.ReadEncodedValue();
                    if (set.HasData || certificate.Length > 0)
                    {
                        if (certificate.Span[0] == 0x30)
                        {
                            certificates.Add(X509CertificateLoader.LoadCertificate(certificate.Span));
                        }
                    }
                }
            }
            if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                var set = signedData.ReadSetOf(true, new Asn1Tag(TagClass.ContextSpecific, 1, true));
                while (set.HasData)
                {
                    var entry = set.ReadEncodedValue();
                    if (entry.Span[0] == 0x30)
                    {
                        crls.Add(entry);
                    }
                    else
                    {
                        // OtherRevocationInfoFormat [1] IMPLICIT SEQUENCE { otherRevInfoFormat OID, otherRevInfo ANY } (RFC 5652 §10.2.1)
                        var format = new AsnReader(entry, AsnEncodingRules.BER).ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true));
                        other.Add((format.ReadObjectIdentifier(), format.HasData ? format.ReadEncodedValue() : ReadOnlyMemory<byte>.Empty));
                    }
                }
            }
            var signerSet = signedData.ReadSetOf(skipSortOrderValidation: true);
            var signers = new List<CmsSignerInfo>();
            while (signerSet.HasData)
            {
                signers.Add(CmsSignerInfo.Read(signerSet.ReadSequence()));
            }
            return new CmsSignedData(eContentType, eContent, certificates, crls, other, signers, length);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or InvalidOperationException)
        {
            throw new CmsFormatException("the signature value is not a well-formed CMS structure (" + e.Message.TrimEnd('.') + ")");
        }
    }
}

/// <summary>One SignerInfo (RFC 5652 §5.3).</summary>
internal sealed record CmsSignerInfo(
    ReadOnlyMemory<byte>? IssuerName,
    ReadOnlyMemory<byte>? SerialNumber,
    byte[]? SubjectKeyIdentifier,
    string DigestAlgorithm,
    ReadOnlyMemory<byte>? DigestParameters,
    byte[]? SignedAttributesDer,
    IReadOnlyList<CmsAttribute> SignedAttributes,
    string SignatureAlgorithm,
    ReadOnlyMemory<byte>? SignatureParameters,
    byte[] Signature,
    IReadOnlyList<CmsAttribute> UnsignedAttributes)
{
    public const string ContentTypeAttribute = "1.2.840.113549.1.9.3";
    public const string MessageDigestAttribute = "1.2.840.113549.1.9.4";
    public const string SigningTimeAttribute = "1.2.840.113549.1.9.5";
    public const string TimestampTokenAttribute = "1.2.840.113549.1.9.16.2.14";
    public const string SigningCertificateV2Attribute = "1.2.840.113549.1.9.16.2.47";
    public const string SigningCertificateAttribute = "1.2.840.113549.1.9.16.2.12";
    public const string AdobeRevocationAttribute = "1.2.840.113583.1.1.8";
    public const string RevocationValuesAttribute = "1.2.840.113549.1.9.16.2.24";
    public const string CertificateValuesAttribute = "1.2.840.113549.1.9.16.2.23";

    public static CmsSignerInfo Read(AsnReader signerInfo)
    {
        signerInfo.ReadInteger();
        ReadOnlyMemory<byte>? issuer = null, serial = null;
        byte[]? ski = null;
        if (signerInfo.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            ski = signerInfo.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        }
        else
        {
            var issuerAndSerial = signerInfo.ReadSequence();
            issuer = issuerAndSerial.ReadEncodedValue();
            serial = issuerAndSerial.ReadIntegerBytes();
        }
        var (digest, digestParameters) = ReadAlgorithm(signerInfo);
        byte[]? signedDer = null;
        var signed = new List<CmsAttribute>();
        if (signerInfo.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            // The signature covers the DER SET OF, i.e. the [0] IMPLICIT field with its tag changed to SET (§5.4).
            signedDer = signerInfo.PeekEncodedValue().ToArray();
            signedDer[0] = 0x31;
            signed = ReadAttributes(signerInfo.ReadSetOf(true, new Asn1Tag(TagClass.ContextSpecific, 0)));
        }
        var (signatureOid, parameters) = ReadAlgorithm(signerInfo);
        var signature = signerInfo.ReadOctetString();
        var unsigned = new List<CmsAttribute>();
        if (signerInfo.HasData && signerInfo.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            unsigned = ReadAttributes(signerInfo.ReadSetOf(true, new Asn1Tag(TagClass.ContextSpecific, 1)));
        }
        return new CmsSignerInfo(issuer, serial, ski, digest, digestParameters, signedDer, signed, signatureOid, parameters, signature, unsigned);
    }

    /// <summary>The single value of the attribute <paramref name="oid"/>, or null (several values count as absent: RFC 5652 §11 forbids them).</summary>
    public ReadOnlyMemory<byte>? Signed(string oid) =>
        SignedAttributes.Where(a => a.Oid == oid).ToList() is [{ Values: [var only] }] ? only : (ReadOnlyMemory<byte>?)null;

    /// <summary>The values of the unsigned attribute <paramref name="oid"/>.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Unsigned(string oid) => UnsignedAttributes.Where(a => a.Oid == oid).SelectMany(a => a.Values);

    /// <summary>Whether <paramref name="certificate"/> is the one this SignerInfo names, by issuer and serial or by key identifier.</summary>
    public bool Identifies(X509Certificate2 certificate)
    {
        if (SubjectKeyIdentifier is { } ski)
        {
            var extension = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
            var own = extension is not null
                ? Convert.FromHexString(extension.SubjectKeyIdentifier!)
                : SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData); // RFC 5280 §4.2.1.2 method (1)
            return own.AsSpan().SequenceEqual(ski);
        }
        return IssuerName is { } issuer && SerialNumber is { } serial
            && new X500DistinguishedName(issuer.Span).RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
            && TrimLeadingZeros(serial.Span).SequenceEqual(TrimLeadingZeros(certificate.SerialNumberBytes.Span));
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value) =>
        value.Length > 1 && value[0] == 0 ? TrimLeadingZeros(value[1..]) : value;

    internal static (string Oid, ReadOnlyMemory<byte>? Parameters) ReadAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
        return (oid, parameters);
    }

    private static List<CmsAttribute> ReadAttributes(AsnReader set)
    {
        var attributes = new List<CmsAttribute>();
        while (set.HasData)
        {
            var attribute = set.ReadSequence();
            var oid = attribute.ReadObjectIdentifier();
            var values = attribute.ReadSetOf(skipSortOrderValidation: true);
            var list = new List<ReadOnlyMemory<byte>>();
            while (values.HasData)
            {
                list.Add(values.ReadEncodedValue());
            }
            attributes.Add(new CmsAttribute(oid, list));
        }
        return attributes;
    }
}

/// <summary>A CMS attribute: its type and encoded values.</summary>
internal sealed record CmsAttribute(string Oid, IReadOnlyList<ReadOnlyMemory<byte>> Values);

/// <summary>The signature value cannot be read as CMS; the message says how.</summary>
internal sealed class CmsFormatException(string message) : Exception(message);
