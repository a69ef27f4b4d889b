using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>
/// Decides whether a signer's certificate (and every certificate above it, up to the trust anchor) had been revoked
/// when it signed, from the revocation data the document carries — offline — and, only when the caller opted in, data
/// fetched from the certificates' OCSP responders and CRL distribution points. The time that matters is the verified
/// time-stamp, else the signing time the signer claims (ETSI EN 319 102-1 §5.2.5, §5.6.2.4).
/// </summary>
internal static class RevocationEvaluator
{
    public static void Evaluate(SignatureFinding finding, IReadOnlyList<X509Certificate2> chain, RevocationMaterial material, TrustAnchors anchors,
        DateTimeOffset at, bool timeProven, IRevocationFetcher? fetcher, CancellationToken cancellationToken)
    {
        finding.Revocation.AddRange(material.Summaries);
        var unknown = new List<string>();
        var checkedAny = false;
        for (var i = 0; i < chain.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var certificate = chain[i];
            if (anchors.Matching(certificate) is not null || i > 0 && certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
            {
                break; // the anchor, and a root, answer for themselves
            }
            var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
            var issuer = i + 1 < chain.Count && IssuedBy(certificate, chain[i + 1]) ? chain[i + 1] : material.Certificates.FirstOrDefault(c => IssuedBy(certificate, c));
            if (issuer is null)
            {
                unknown.Add(i == 0 && certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
                    ? $"the certificate of \"{name}\" is self-signed, so no authority can revoke it"
                    : $"the certificate of \"{name}\" comes without its issuer's, so no revocation data about it can be checked");
                break;
            }
            checkedAny = true;
            var evidence = Collect(material, certificate, issuer, at, timeProven);
            if (evidence.All(e => e.Kind == EvidenceKind.Useless) && fetcher is not null)
            {
                evidence.AddRange(Fetch(fetcher, certificate, issuer, at, timeProven, cancellationToken));
            }
            if (evidence.FirstOrDefault(e => e.Kind == EvidenceKind.Revoked) is { } revoked)
            {
                Revoke(finding, name, revoked, at, timeProven);
                return;
            }
            if (!evidence.Any(e => e.Kind == EvidenceKind.Good))
            {
                unknown.Add(evidence.FirstOrDefault(e => e.Why is not null)?.Why is { } why
                    ? $"for the certificate of \"{name}\", {why}"
                    : $"the document carries no revocation data for the certificate of \"{name}\"");
            }
        }
        if (unknown.Count == 0 && checkedAny)
        {
            finding.RevocationStatus = RevocationStatus.Good;
            finding.RevocationDetail = $"Revocation data confirms that no certificate of this signature had been revoked on {Describe(at, timeProven, finding)}.";
        }
        else
        {
            finding.RevocationStatus = RevocationStatus.Unknown;
            finding.RevocationDetail = CmsSignatureCheck.Sentence($"Whether the signer's certificates had been revoked on {Describe(at, timeProven, finding)} is unknown: {unknown.FirstOrDefault() ?? "the chain could not be built"}");
        }
    }

    private static List<Evidence> Collect(RevocationMaterial material, X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset at, bool timeProven)
    {
        var evidence = new List<Evidence>();
        foreach (var response in material.OcspResponses)
        {
            evidence.AddRange(Evidences.FromOcsp(response, basicOnly: false, certificate, issuer, at, timeProven, "an OCSP response in the document"));
        }
        foreach (var response in material.BasicOcspResponses)
        {
            evidence.AddRange(Evidences.FromOcsp(response, basicOnly: true, certificate, issuer, at, timeProven, "an OCSP response in the document"));
        }
        foreach (var crl in material.Crls)
        {
            evidence.AddRange(Evidences.FromCrl(crl, certificate, issuer, at, timeProven, "a CRL in the document"));
        }
        return evidence;
    }

    /// <summary>OCSP from the certificate's responders (RFC 5280 §4.2.2.1), then CRLs from its distribution points (§4.2.1.13); http(s) only.</summary>
    private static IEnumerable<Evidence> Fetch(IRevocationFetcher fetcher, X509Certificate2 certificate, X509Certificate2 issuer,
        DateTimeOffset at, bool timeProven, CancellationToken cancellationToken)
    {
        var evidence = new List<Evidence>();
        var ocsp = certificate.Extensions.OfType<X509AuthorityInformationAccessExtension>().SelectMany(e => e.EnumerateOcspUris());
        var (nameHash, keyHash) = Evidences.IssuerHashes(issuer, HashAlgorithmName.SHA1);
        var request = OcspBasicResponse.Request(nameHash, keyHash, Evidences.Serial(certificate));
        foreach (var url in Urls(ocsp))
        {
            var (answer, problem) = fetcher.Fetch(url, request, cancellationToken);
            evidence.AddRange(answer is null
                ? [new Evidence(EvidenceKind.Useless, url.Host, Why: problem)]
                : Evidences.FromOcsp(answer, basicOnly: false, certificate, issuer, at, timeProven, $"an OCSP response fetched from {url.Host}"));
            if (evidence.Any(e => e.Kind != EvidenceKind.Useless))
            {
                return evidence;
            }
        }
        foreach (var url in Urls(DistributionPoints(certificate)))
        {
            var (answer, problem) = fetcher.Fetch(url, null, cancellationToken);
            evidence.AddRange(answer is null
                ? [new Evidence(EvidenceKind.Useless, url.Host, Why: problem)]
                : Evidences.FromCrl(answer, certificate, issuer, at, timeProven, $"a CRL fetched from {url.Host}"));
            if (evidence.Any(e => e.Kind != EvidenceKind.Useless))
            {
                break;
            }
        }
        return evidence;
    }

    private static IEnumerable<Uri> Urls(IEnumerable<string> values) =>
        values.Take(4).Select(v => Uri.TryCreate(v, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().Where(u => u.Scheme is "http" or "https");

    /// <summary>The URIs of a certificate's CRL distribution points (RFC 5280 §4.2.1.13: fullName GeneralNames, uniformResourceIdentifier [6]).</summary>
    private static List<string> DistributionPoints(X509Certificate2 certificate)
    {
        var urls = new List<string>();
        if (certificate.Extensions["2.5.29.31"] is not { } extension)
        {
            return urls;
        }
        try
        {
            var points = new AsnReader(extension.RawData, AsnEncodingRules.BER).ReadSequence();
            while (points.HasData)
            {
                var point = points.ReadSequence();
                if (!point.HasData || !point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    continue;
                }
                var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
                if (!name.HasData || !name.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    continue;
                }
                var fullName = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
                while (fullName.HasData)
                {
                    var tag = fullName.PeekTag();
                    if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                    {
                        urls.Add(fullName.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    }
                    else
                    {
                        fullName.ReadEncodedValue();
                    }
                }
            }
        }
        catch (AsnContentException)
        {
            // An unreadable extension names no place to fetch from.
        }
        return urls;
    }

    private static void Revoke(SignatureFinding finding, string name, Evidence revoked, DateTimeOffset at, bool timeProven)
    {
        var when = revoked.RevokedAt!.Value;
        var sentence = when <= at && (timeProven || finding.SigningTime is not null)
            ? $"The certificate of \"{name}\" was revoked on {when:yyyy-MM-dd HH:mm} UTC ({Reason(revoked.Reason)}), before it signed on {Describe(at, timeProven, finding)}; {revoked.Source} says so"
            : $"The certificate of \"{name}\" was revoked on {when:yyyy-MM-dd HH:mm} UTC ({Reason(revoked.Reason)}), and nothing proves this signature was made before that: it has no verified time-stamp, and whoever held the key could have signed with an earlier date";
        finding.RevocationStatus = RevocationStatus.Revoked;
        finding.RevocationDetail = CmsSignatureCheck.Sentence(sentence);
        finding.Problems.Insert(0, finding.RevocationDetail);
    }

    /// <summary>The revocation reason in words (RFC 5280 §5.3.1).</summary>
    public static string Reason(int? code) => code switch
    {
        null or 0 => "no reason given",
        1 => "its private key was compromised",
        2 => "its certificate authority's key was compromised",
        3 => "its holder's affiliation changed",
        4 => "it was replaced by another certificate",
        5 => "its holder stopped operating",
        6 => "it was suspended (on hold)",
        9 => "its holder's privileges were withdrawn",
        10 => "its attribute authority was compromised",
        _ => string.Create(CultureInfo.InvariantCulture, $"reason code {code}"),
    };

    /// <summary>
    /// The time certificates were checked at, and what it is: the verified time-stamp's time, the signing time the signer
    /// claims, or, for a signature that claims none, the time of this check.
    /// </summary>
    private static string Describe(DateTimeOffset at, bool proven, SignatureFinding finding) => string.Create(CultureInfo.InvariantCulture,
        $"{at:yyyy-MM-dd HH:mm} UTC ({(proven ? "the time-stamp's time" : finding.SigningTime is null ? "the time of this check: the signature claims no signing time" : "the signing time the signer claims")})");

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 issuer) =>
        certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData);
}
