using System.Formats.Asn1;
using System.Numerics;
using DocEngine.Core.Signatures.Cms;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>A single OCSP answer about one certificate (RFC 6960 §4.2.1 SingleResponse).</summary>
internal sealed record OcspAnswer(string HashOid, byte[] IssuerNameHash, byte[] IssuerKeyHash, BigInteger Serial, OcspCertStatus Status,
    DateTimeOffset? RevokedAt, int? Reason, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate);

internal enum OcspCertStatus { Good, Revoked, Unknown }

/// <summary>
/// A BasicOCSPResponse (RFC 6960 §4.2.1) read with System.Formats.Asn1: who signed it (by name or key hash), when, the
/// answers, the certificates that came with it, and its own bytes for checking the signature. Unreadable input throws
/// <see cref="AsnContentException"/>.
/// </summary>
internal sealed record OcspBasicResponse(byte[] Encoded, byte[]? ResponderName, byte[]? ResponderKeyHash, DateTimeOffset ProducedAt,
    IReadOnlyList<OcspAnswer> Answers, IReadOnlyList<byte[]> Certificates)
{
    private const string BasicOcspType = "1.3.6.1.5.5.7.48.1.1";

    /// <summary>The BasicOCSPResponse inside an OCSPResponse; null (with the status) when the responder did not answer.</summary>
    public static OcspBasicResponse? FromResponse(byte[] encoded, out int status)
    {
        var response = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        status = Enumerated(response);
        if (status != 0 || !response.HasData)
        {
            return null;
        }
        var bytes = response.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
        return bytes.ReadObjectIdentifier() == BasicOcspType ? Parse(bytes.ReadOctetString()) : null;
    }

    public static OcspBasicResponse Parse(byte[] encoded)
    {
        var basic = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        var data = basic.ReadSequence();
        if (data.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            data.ReadEncodedValue(); // version
        }
        byte[]? name = null, keyHash = null;
        var responder = data.PeekTag();
        var choice = data.ReadSequence(responder);
        if (responder.TagValue == 1)
        {
            name = choice.ReadEncodedValue().ToArray();
        }
        else
        {
            keyHash = choice.ReadOctetString();
        }
        var producedAt = data.ReadGeneralizedTime();
        var answers = new List<OcspAnswer>();
        var responses = data.ReadSequence();
        while (responses.HasData)
        {
            answers.Add(ReadAnswer(responses.ReadSequence()));
        }
        basic.ReadEncodedValue(); // signatureAlgorithm
        basic.ReadEncodedValue(); // signature
        var certificates = new List<byte[]>();
        if (basic.HasData && basic.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            var certs = basic.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            while (certs.HasData)
            {
                certificates.Add(certs.ReadEncodedValue().ToArray());
            }
        }
        return new OcspBasicResponse(encoded, name, keyHash, producedAt, answers, certificates);
    }

    private static OcspAnswer ReadAnswer(AsnReader single)
    {
        var id = single.ReadSequence();
        var (hashOid, _) = CmsSignerInfo.ReadAlgorithm(id);
        var nameHash = id.ReadOctetString();
        var keyHash = id.ReadOctetString();
        var serial = id.ReadInteger();
        var statusTag = single.PeekTag();
        var (status, revokedAt, reason) = (OcspCertStatus.Unknown, (DateTimeOffset?)null, (int?)null);
        switch (statusTag.TagValue)
        {
            case 0 when statusTag.TagClass == TagClass.ContextSpecific:
                single.ReadEncodedValue();
                status = OcspCertStatus.Good;
                break;
            case 1 when statusTag.TagClass == TagClass.ContextSpecific:
                var revoked = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true));
                revokedAt = revoked.ReadGeneralizedTime();
                if (revoked.HasData)
                {
                    reason = Enumerated(revoked.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)));
                }
                status = OcspCertStatus.Revoked;
                break;
            default:
                single.ReadEncodedValue();
                break;
        }
        var thisUpdate = single.ReadGeneralizedTime();
        DateTimeOffset? nextUpdate = null;
        if (single.HasData && single.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            nextUpdate = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadGeneralizedTime();
        }
        return new OcspAnswer(hashOid, nameHash, keyHash, serial, status, revokedAt, reason, thisUpdate, nextUpdate);
    }

    /// <summary>A small ENUMERATED value (an OCSP status, a CRL reason).</summary>
    public static int Enumerated(AsnReader reader)
    {
        var bytes = reader.ReadEnumeratedBytes().Span;
        return bytes.Length is > 0 and <= 4 ? (int)new BigInteger(bytes, isUnsigned: false, isBigEndian: true) : -1;
    }

    /// <summary>An OCSP request for one certificate (RFC 6960 §4.1.1), unsigned, with a SHA-1 CertID.</summary>
    public static byte[] Request(byte[] issuerNameHash, byte[] issuerKeyHash, BigInteger serial)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.14.3.2.26");
                writer.WriteNull();
            }
            writer.WriteOctetString(issuerNameHash);
            writer.WriteOctetString(issuerKeyHash);
            writer.WriteInteger(serial);
        }
        return writer.Encode();
    }
}

/// <summary>A CRL (RFC 5280 §5.1) read with System.Formats.Asn1: issuer, validity, and each revoked serial with its date and reason.</summary>
internal sealed record CertificateList(byte[] Encoded, byte[] Issuer, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate,
    IReadOnlyDictionary<BigInteger, (DateTimeOffset RevokedAt, int? Reason)> Revoked)
{
    private const int MaxEntries = 2_000_000;
    private const string ReasonCode = "2.5.29.21";

    public static CertificateList Parse(byte[] encoded)
    {
        var list = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        var tbs = list.ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger(); // version
        }
        tbs.ReadEncodedValue(); // signature algorithm
        var issuer = tbs.ReadEncodedValue().ToArray();
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var revoked = new Dictionary<BigInteger, (DateTimeOffset, int?)>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData && revoked.Count < MaxEntries)
            {
                var entry = entries.ReadSequence();
                var serial = entry.ReadInteger();
                var date = ReadTime(entry);
                int? reason = null;
                if (entry.HasData)
                {
                    var extensions = entry.ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        var oid = extension.ReadObjectIdentifier();
                        if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                        {
                            extension.ReadBoolean();
                        }
                        var value = extension.ReadOctetString();
                        if (oid == ReasonCode)
                        {
                            reason = OcspBasicResponse.Enumerated(new AsnReader(value, AsnEncodingRules.BER));
                        }
                    }
                }
                revoked.TryAdd(serial, (date, reason));
            }
        }
        return new CertificateList(encoded, issuer, thisUpdate, nextUpdate, revoked);
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) || tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.GeneralizedTime));

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
