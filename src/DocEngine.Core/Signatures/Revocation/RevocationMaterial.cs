using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Cms;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>
/// The revocation data found for one signature, as raw DER: OCSP responses (full, or basic only), CRLs, and the extra
/// certificates that come with them (responders, intermediates). Gathered from everywhere a PDF may keep it: the signed
/// adbe-revocationInfoArchival attribute (ISO 32000-2 §12.8.3.3.2), the CMS crls field (RFC 5652 §10.2.1), the CAdES
/// revocation-values attribute (ETSI EN 319 122-1 §5.5.2), and the document security store with this signature's VRI
/// entry (ETSI EN 319 142-1 §5.4.2).
/// </summary>
internal sealed class RevocationMaterial
{
    private const string OcspResponseFormat = "1.3.6.1.5.5.7.16.2";
    private const string BasicOcspFormat = "1.3.6.1.5.5.7.48.1.1";

    public List<byte[]> OcspResponses { get; } = [];

    /// <summary>BasicOCSPResponse structures given without their OCSPResponse wrapper.</summary>
    public List<byte[]> BasicOcspResponses { get; } = [];

    public List<byte[]> Crls { get; } = [];

    public List<X509Certificate2> Certificates { get; } = [];

    /// <summary>What was found where, for the report.</summary>
    public List<RevocationSummary> Summaries { get; } = [];

    public bool IsEmpty => OcspResponses.Count + BasicOcspResponses.Count + Crls.Count == 0;

    /// <summary>The CMS's own crls field, its signed adbe-revocationInfoArchival and its unsigned CAdES revocation values.</summary>
    public void AddSignature(CmsSignedData cms, CmsSignerInfo signer)
    {
        var (crls, ocsps) = (0, 0);
        foreach (var crl in cms.Crls)
        {
            Crls.Add(crl.ToArray());
            crls++;
        }
        foreach (var (format, value) in cms.OtherRevocationEntries)
        {
            (format switch { OcspResponseFormat => OcspResponses, BasicOcspFormat => BasicOcspResponses, _ => null })?.Add(value.ToArray());
            ocsps += format is OcspResponseFormat or BasicOcspFormat ? 1 : 0;
        }
        Summarise("CMS revocation data", crls, ocsps);
        if (signer.Signed(CmsSignerInfo.AdobeRevocationAttribute) is { } archival)
        {
            var (c, o) = ReadLists(archival, OcspResponses);
            Summarise("adbe-revocationInfoArchival", c, o, always: true);
        }
        foreach (var values in signer.Unsigned(CmsSignerInfo.RevocationValuesAttribute))
        {
            var (c, o) = ReadLists(values, BasicOcspResponses);
            Summarise("CAdES revocation values", c, o);
        }
        foreach (var values in signer.Unsigned(CmsSignerInfo.CertificateValuesAttribute))
        {
            ReadCertificates(values);
        }
    }

    /// <summary>Everything in another collection (the DSS, or this signature's VRI entry), labelled <paramref name="source"/>.</summary>
    public void Add(RevocationMaterial other, string source)
    {
        OcspResponses.AddRange(other.OcspResponses);
        BasicOcspResponses.AddRange(other.BasicOcspResponses);
        Crls.AddRange(other.Crls);
        Certificates.AddRange(other.Certificates);
        Summarise(source, other.Crls.Count, other.OcspResponses.Count + other.BasicOcspResponses.Count);
    }

    /// <summary>
    /// A SEQUENCE of [0] CRLs and [1] OCSP values, each a SEQUENCE OF: adbe-revocationInfoArchival (full OCSPResponse)
    /// and CAdES RevocationValues (BasicOCSPResponse) share the layout; [2] other values are skipped.
    /// </summary>
    private (int Crls, int Ocsps) ReadLists(ReadOnlyMemory<byte> value, List<byte[]> ocspTarget)
    {
        var (crls, ocsps) = (0, 0);
        try
        {
            var sequence = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                var items = sequence.ReadSequence(tag).ReadSequence();
                while (items.HasData)
                {
                    var item = items.ReadEncodedValue().ToArray();
                    if (tag.TagValue == 0)
                    {
                        Crls.Add(item);
                        crls++;
                    }
                    else if (tag.TagValue == 1)
                    {
                        ocspTarget.Add(item);
                        ocsps++;
                    }
                }
            }
        }
        catch (AsnContentException)
        {
            // Unreadable archival data adds nothing; the signature itself is judged on its own.
        }
        return (crls, ocsps);
    }

    private void ReadCertificates(ReadOnlyMemory<byte> value)
    {
        try
        {
            var sequence = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
            while (sequence.HasData)
            {
                Certificates.Add(X509CertificateLoader.LoadCertificate(sequence.ReadEncodedValue().Span));
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            // Not certificates: nothing to add.
        }
    }

    private void Summarise(string source, int crls, int ocsps, bool always = false)
    {
        if (always || crls + ocsps > 0)
        {
            Summaries.Add(new RevocationSummary(source, crls, ocsps));
        }
    }
}
