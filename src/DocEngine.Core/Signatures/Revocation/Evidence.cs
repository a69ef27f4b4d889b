using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Cms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>What one OCSP response or CRL says about one certificate, once its signature and freshness are checked.</summary>
internal sealed record Evidence(EvidenceKind Kind, string Source, DateTimeOffset? RevokedAt = null, int? Reason = null, string? Why = null);

internal enum EvidenceKind
{
    /// <summary>Not revoked at the time that matters.</summary>
    Good,
    /// <summary>Revoked (or on hold) at that time, or revoked for a compromised key with the signing time unproven.</summary>
    Revoked,
    /// <summary>Says nothing usable: another certificate, a forged or unauthorised signature, too old, status unknown.</summary>
    Useless,
}

/// <summary>
/// Checks OCSP responses (RFC 6960) and CRLs (RFC 5280 §5) about a certificate against its issuer, offline: read with
/// BouncyCastle (which .NET lacks for both), signatures checked with .NET. The response must name the certificate and issuer, be signed by the issuer
/// or by a responder the issuer delegated (id-kp-OCSPSigning, §4.2.2.2), and cover the time that matters — issued after
/// it, or valid at it (thisUpdate ≤ t ≤ nextUpdate; without nextUpdate, at most a day old).
/// </summary>
internal static class Evidences
{
    private const string OcspSigning = "1.3.6.1.5.5.7.3.9";
    private const string BasicOcspType = "1.3.6.1.5.5.7.48.1.1";
    private static readonly TimeSpan MaxAgeWithoutNextUpdate = TimeSpan.FromDays(1);

    /// <summary>Reasons for which a revocation after the (unproven) signing time still voids the signature: the key may have signed later, backdated.</summary>
    private static readonly HashSet<int> CompromiseReasons = [CrlReason.KeyCompromise, CrlReason.CACompromise, CrlReason.AACompromise];

    public static IEnumerable<Evidence> FromOcsp(byte[] encoded, bool basicOnly, X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset at, bool timeProven, string source)
    {
        byte[] basicBytes;
        BasicOcspResp basic;
        try
        {
            basicBytes = basicOnly ? encoded : BasicResponse(encoded, out var status) ?? throw new OcspException($"status {status}");
            basic = new BasicOcspResp(BasicOcspResponse.GetInstance(Asn1Object.FromByteArray(basicBytes)));
        }
        catch (OcspException e)
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: $"an OCSP response says the responder could not answer ({e.Message})")];
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or Asn1Exception or InvalidOperationException or AsnContentException)
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response cannot be read")];
        }
        var serial = new Org.BouncyCastle.Math.BigInteger(1, certificate.SerialNumberBytes.ToArray());
        var results = new List<Evidence>();
        foreach (var single in basic.Responses)
        {
            var id = single.GetCertID();
            if (!id.SerialNumber.Equals(serial) || !Names(id, issuer))
            {
                continue;
            }
            if (Responder(basic, issuer) is not { } responder)
            {
                results.Add(new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response is signed by a responder its issuer did not authorise"));
                continue;
            }
            if (!SignatureAlgorithms.VerifiesStructure(basicBytes, responder))
            {
                results.Add(new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response's own signature does not verify"));
                continue;
            }
            var thisUpdate = new DateTimeOffset(single.ThisUpdate, TimeSpan.Zero);
            DateTimeOffset? nextUpdate = single.NextUpdate is { } n ? new DateTimeOffset(n, TimeSpan.Zero) : null;
            results.Add(single.GetCertStatus() switch
            {
                null => Fresh(thisUpdate, nextUpdate, at) ? new Evidence(EvidenceKind.Good, source)
                    : new Evidence(EvidenceKind.Useless, source, Why: $"the OCSP response is from {thisUpdate:yyyy-MM-dd}, too long before the signing time to tell"),
                RevokedStatus revoked => Revocation(new DateTimeOffset(revoked.RevocationTime, TimeSpan.Zero), revoked.HasRevocationReason ? revoked.RevocationReason : null, at, timeProven, source),
                _ => new Evidence(EvidenceKind.Useless, source, Why: "the OCSP responder does not know the certificate"),
            });
        }
        return results;
    }

    public static IEnumerable<Evidence> FromCrl(byte[] encoded, X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset at, bool timeProven, string source)
    {
        X509Crl crl;
        try
        {
            crl = new X509CrlParser().ReadCrl(encoded);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or Org.BouncyCastle.Security.Certificates.CrlException or Asn1Exception)
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "a CRL cannot be read")];
        }
        if (crl is null || !crl.IssuerDN.GetEncoded().AsSpan().SequenceEqual(issuer.SubjectName.RawData) && !crl.IssuerDN.Equivalent(X509Name.GetInstance(issuer.SubjectName.RawData)))
        {
            return [];
        }
        if (!SignatureAlgorithms.VerifiesStructure(encoded, issuer))
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "a CRL's signature does not verify with its issuer's key")];
        }
        var entry = crl.GetRevokedCertificate(new Org.BouncyCastle.Math.BigInteger(1, certificate.SerialNumberBytes.ToArray()));
        if (entry is not null)
        {
            var reason = entry.GetExtensionValue(X509Extensions.ReasonCode) is { } value
                ? DerEnumerated.GetInstance(Asn1Object.FromByteArray(value.GetOctets())).IntValueExact
                : (int?)null;
            if (reason != CrlReason.RemoveFromCrl)
            {
                return [Revocation(new DateTimeOffset(entry.RevocationDate, TimeSpan.Zero), reason, at, timeProven, source)];
            }
        }
        var thisUpdate = new DateTimeOffset(crl.ThisUpdate, TimeSpan.Zero);
        DateTimeOffset? nextUpdate = crl.NextUpdate is { } n ? new DateTimeOffset(n, TimeSpan.Zero) : null;
        return [Fresh(thisUpdate, nextUpdate, at) ? new Evidence(EvidenceKind.Good, source)
            : new Evidence(EvidenceKind.Useless, source, Why: $"the CRL is from {thisUpdate:yyyy-MM-dd}, too long before the signing time to tell")];
    }

    /// <summary>The BasicOCSPResponse inside an OCSPResponse (RFC 6960 §4.2.1), as its original bytes; null (with the status) when the responder did not answer.</summary>
    private static byte[]? BasicResponse(byte[] encoded, out int status)
    {
        var response = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        status = (int)response.ReadEnumeratedValue<OcspStatus>();
        if (status != 0 || !response.HasData)
        {
            return null;
        }
        var bytes = response.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
        return bytes.ReadObjectIdentifier() == BasicOcspType ? bytes.ReadOctetString() : null;
    }

    private enum OcspStatus
    {
        Successful = 0,
        MalformedRequest = 1,
        InternalError = 2,
        TryLater = 3,
        SigRequired = 5,
        Unauthorized = 6,
    }

    /// <summary>A revocation: before <paramref name="at"/> (or on hold then) it voids the signature; after, only a key compromise does, and only when the signing time is not proven.</summary>
    private static Evidence Revocation(DateTimeOffset revokedAt, int? reason, DateTimeOffset at, bool timeProven, string source)
    {
        if (revokedAt <= at || reason is { } r && CompromiseReasons.Contains(r) && !timeProven)
        {
            return new Evidence(EvidenceKind.Revoked, source, revokedAt, reason);
        }
        return new Evidence(EvidenceKind.Good, source, revokedAt, reason, Why: "revoked only after it signed");
    }

    private static bool Fresh(DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, DateTimeOffset at) =>
        thisUpdate >= at || (nextUpdate is { } next ? at <= next : at - thisUpdate <= MaxAgeWithoutNextUpdate);

    /// <summary>Whether a CertID names <paramref name="issuer"/>: the hashes of its name and of its key (RFC 6960 §4.1.1).</summary>
    private static bool Names(CertificateID id, X509Certificate2 issuer)
    {
        var hash = SignatureAlgorithms.DigestHash(id.HashAlgOid);
        if (hash is null || hash == Digests.Shake256Of512)
        {
            return false;
        }
        using var names = Digests.Create(hash.Value);
        names.Append(issuer.SubjectName.RawData);
        using var keys = Digests.Create(hash.Value);
        keys.Append(issuer.PublicKey.EncodedKeyValue.RawData);
        return names.Finish().AsSpan().SequenceEqual(id.GetIssuerNameHash()) && keys.Finish().AsSpan().SequenceEqual(id.GetIssuerKeyHash());
    }

    /// <summary>Who may sign OCSP answers about <paramref name="issuer"/>'s certificates: the issuer itself, or a responder it delegated to (§4.2.2.2).</summary>
    private static X509Certificate2? Responder(BasicOcspResp basic, X509Certificate2 issuer)
    {
        var responder = ResponderID.GetInstance(basic.ResponderId.ToAsn1Object());
        if (Identifies(responder, issuer))
        {
            return issuer;
        }
        foreach (var candidate in basic.GetCerts() ?? [])
        {
            X509Certificate2 delegated;
            try
            {
                delegated = X509CertificateLoader.LoadCertificate(candidate.GetEncoded());
            }
            catch (CryptographicException)
            {
                continue;
            }
            var produced = basic.ProducedAt;
            if (Identifies(responder, delegated) && delegated.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)
                && delegated.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(u => u.Value == OcspSigning))
                && delegated.NotBefore.ToUniversalTime() <= produced && produced <= delegated.NotAfter.ToUniversalTime()
                && SignatureAlgorithms.VerifiesStructure(delegated.RawData, issuer))
            {
                return delegated;
            }
        }
        return null;
    }

    private static bool Identifies(ResponderID responder, X509Certificate2 certificate)
    {
        if (responder.Name is { } name)
        {
            return name.GetEncoded().AsSpan().SequenceEqual(certificate.SubjectName.RawData) || name.Equivalent(X509Name.GetInstance(certificate.SubjectName.RawData));
        }
        var keyHash = responder.GetKeyHash();
        return keyHash is not null && keyHash.AsSpan().SequenceEqual(SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData));
    }
}
