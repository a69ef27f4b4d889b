using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Cms;

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
    private static readonly TimeSpan MaxAgeWithoutNextUpdate = TimeSpan.FromDays(1);

    /// <summary>Revocation reasons (RFC 5280 §5.3.1) after which a signature made (as claimed) before the revocation is still void: the key may have signed later, backdated.</summary>
    private static readonly HashSet<int> CompromiseReasons = [1, 2, 10];

    public static IEnumerable<Evidence> FromOcsp(byte[] encoded, bool basicOnly, X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset at, bool timeProven, string source)
    {
        OcspBasicResponse response;
        try
        {
            var status = 0;
            var read = basicOnly ? OcspBasicResponse.Parse(encoded) : OcspBasicResponse.FromResponse(encoded, out status);
            if (read is null)
            {
                return [new Evidence(EvidenceKind.Useless, source, Why: $"an OCSP response says the responder could not answer (status {status})")];
            }
            response = read;
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response cannot be read")];
        }
        var serial = Serial(certificate);
        var results = new List<Evidence>();
        foreach (var answer in response.Answers.Where(a => a.Serial == serial && Names(a, issuer)))
        {
            if (Responder(response, issuer) is not { } responder)
            {
                results.Add(new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response is signed by a responder its issuer did not authorise"));
                continue;
            }
            if (!SignatureAlgorithms.VerifiesStructure(response.Encoded, responder))
            {
                results.Add(new Evidence(EvidenceKind.Useless, source, Why: "an OCSP response's own signature does not verify"));
                continue;
            }
            results.Add(answer.Status switch
            {
                OcspCertStatus.Good => Fresh(answer.ThisUpdate, answer.NextUpdate, at) ? new Evidence(EvidenceKind.Good, source)
                    : new Evidence(EvidenceKind.Useless, source, Why: $"the OCSP response is from {answer.ThisUpdate:yyyy-MM-dd}, too long before the signing time to tell"),
                OcspCertStatus.Revoked => Revocation(answer.RevokedAt!.Value, answer.Reason, at, timeProven, source),
                _ => new Evidence(EvidenceKind.Useless, source, Why: "the OCSP responder does not know the certificate"),
            });
        }
        return results;
    }

    public static IEnumerable<Evidence> FromCrl(byte[] encoded, X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset at, bool timeProven, string source)
    {
        CertificateList crl;
        try
        {
            crl = CertificateList.Parse(encoded);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "a CRL cannot be read")];
        }
        if (!crl.Issuer.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
        {
            return [];
        }
        if (!SignatureAlgorithms.VerifiesStructure(encoded, issuer))
        {
            return [new Evidence(EvidenceKind.Useless, source, Why: "a CRL's signature does not verify with its issuer's key")];
        }
        if (crl.Revoked.TryGetValue(Serial(certificate), out var entry) && entry.Reason != 8) // 8: removeFromCRL
        {
            return [Revocation(entry.RevokedAt, entry.Reason, at, timeProven, source)];
        }
        return [Fresh(crl.ThisUpdate, crl.NextUpdate, at) ? new Evidence(EvidenceKind.Good, source)
            : new Evidence(EvidenceKind.Useless, source, Why: $"the CRL is from {crl.ThisUpdate:yyyy-MM-dd}, too long before the signing time to tell")];
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

    public static BigInteger Serial(X509Certificate2 certificate) => new(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);

    /// <summary>Whether an answer's CertID names <paramref name="issuer"/>: the hashes of its name and of its key (RFC 6960 §4.1.1).</summary>
    private static bool Names(OcspAnswer answer, X509Certificate2 issuer)
    {
        var hash = SignatureAlgorithms.DigestHash(answer.HashOid);
        if (hash is null || hash == Digests.Shake256Of512)
        {
            return false;
        }
        var (name, key) = IssuerHashes(issuer, hash.Value);
        return name.AsSpan().SequenceEqual(answer.IssuerNameHash) && key.AsSpan().SequenceEqual(answer.IssuerKeyHash);
    }

    /// <summary>The hashes of an issuer's name and key that a CertID carries.</summary>
    public static (byte[] Name, byte[] Key) IssuerHashes(X509Certificate2 issuer, HashAlgorithmName hash)
    {
        using var names = Digests.Create(hash);
        names.Append(issuer.SubjectName.RawData);
        using var keys = Digests.Create(hash);
        keys.Append(issuer.PublicKey.EncodedKeyValue.RawData);
        return (names.Finish(), keys.Finish());
    }

    /// <summary>Who may sign OCSP answers about <paramref name="issuer"/>'s certificates: the issuer itself, or a responder it delegated to (§4.2.2.2).</summary>
    private static X509Certificate2? Responder(OcspBasicResponse response, X509Certificate2 issuer)
    {
        if (Identifies(response, issuer))
        {
            return issuer;
        }
        foreach (var encoded in response.Certificates)
        {
            X509Certificate2 delegated;
            try
            {
                delegated = X509CertificateLoader.LoadCertificate(encoded);
            }
            catch (CryptographicException)
            {
                continue;
            }
            var produced = response.ProducedAt.UtcDateTime;
            if (Identifies(response, delegated) && delegated.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)
                && delegated.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == OcspSigning))
                && delegated.NotBefore.ToUniversalTime() <= produced && produced <= delegated.NotAfter.ToUniversalTime()
                && SignatureAlgorithms.VerifiesStructure(delegated.RawData, issuer))
            {
                return delegated;
            }
        }
        return null;
    }

    private static bool Identifies(OcspBasicResponse response, X509Certificate2 certificate) =>
        response.ResponderName is { } name
            ? name.AsSpan().SequenceEqual(certificate.SubjectName.RawData)
            : response.ResponderKeyHash is { } keyHash && keyHash.AsSpan().SequenceEqual(SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData));
}
