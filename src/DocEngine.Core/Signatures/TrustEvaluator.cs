using System.Security.Cryptography.X509Certificates;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Builds a signer's chain with <see cref="X509Chain"/> over a custom trust store, at the signing time, without network
/// (RFC 5280 §6; ETSI EN 319 102-1 §5.2.6). Revocation is judged separately, from the chain built here
/// (Revocation/RevocationEvaluator.cs).
/// </summary>
internal static class TrustEvaluator
{
    private const X509ChainStatusFlags Tolerated = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
        | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation | X509ChainStatusFlags.NoError;

    /// <summary>Decides trust in <paramref name="signer"/> at <paramref name="at"/>; adds the chain and any problems to <paramref name="finding"/>.</summary>
    public static SignerTrust Evaluate(X509Certificate2 signer, IEnumerable<X509Certificate2> embedded, TrustAnchors anchors, DateTimeOffset at,
        SignatureFinding finding, bool timeStamping = false) => Evaluate(signer, embedded, anchors, at, finding, out _, timeStamping);

    /// <summary>As <see cref="Evaluate(X509Certificate2, IEnumerable{X509Certificate2}, TrustAnchors, DateTimeOffset, SignatureFinding, bool)"/>, also giving the chain as built, signer first.</summary>
    public static SignerTrust Evaluate(X509Certificate2 signer, IEnumerable<X509Certificate2> embedded, TrustAnchors anchors, DateTimeOffset at,
        SignatureFinding finding, out List<X509Certificate2> elements, bool timeStamping = false)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors.Certificates.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(embedded.ToArray());
        chain.Build(signer);
        elements = chain.ChainElements.Select(e => e.Certificate).ToList();
        if (!timeStamping)
        {
            finding.Chain.AddRange(elements.Select(Certificates.Summarise));
        }
        var problems = new List<string>();
        if (!timeStamping && signer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            && (usage.KeyUsages & (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation)) == 0)
        {
            problems.Add("The signer's certificate is not meant for signing documents (its key usage allows neither digital signature nor non-repudiation).");
        }
        var anchorIndex = elements.FindIndex(c => anchors.Matching(c) is not null);
        if (anchors.Certificates.Count == 0)
        {
            problems.Add("No trust anchors are configured, so no signer can be trusted: pass --trust with the issuing authority's certificate.");
        }
        else if (anchorIndex < 0)
        {
            problems.Add($"The {(timeStamping ? "time-stamp authority's" : "signer's")} certificate does not chain to any configured trust anchor (its chain ends at \"{elements[^1].Subject}\").");
        }
        else
        {
            // Below the anchor every certificate must be valid at the signing time and correctly issued.
            for (var i = 0; i < anchorIndex; i++)
            {
                var status = chain.ChainElements[i].ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) & ~Tolerated;
                if (status.HasFlag(X509ChainStatusFlags.NotTimeValid))
                {
                    problems.Add($"The certificate of \"{elements[i].GetNameInfo(X509NameType.SimpleName, false)}\" was not valid on {at:yyyy-MM-dd} (valid {elements[i].NotBefore:yyyy-MM-dd} to {elements[i].NotAfter:yyyy-MM-dd}).");
                    status &= ~X509ChainStatusFlags.NotTimeValid;
                }
                if (status != X509ChainStatusFlags.NoError)
                {
                    problems.Add($"The certificate of \"{elements[i].GetNameInfo(X509NameType.SimpleName, false)}\" failed chain checks ({status}).");
                }
            }
        }
        if (timeStamping)
        {
            return problems.Count == 0 ? SignerTrust.Trusted : SignerTrust.Untrusted;
        }
        finding.Problems.AddRange(problems);
        return problems.Count == 0 && anchorIndex >= 0 ? SignerTrust.Trusted : SignerTrust.Untrusted;
    }
}

/// <summary>Certificate summaries for reports.</summary>
internal static class Certificates
{
    public static CertificateSummary Summarise(X509Certificate2 certificate) => new(
        certificate.Subject,
        certificate.Issuer,
        Convert.ToHexString(certificate.SerialNumberBytes.Span),
        new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
        new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
        certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
}
