using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Cms;

namespace DocEngine.Core.Signatures;

/// <summary>RFC 3161 signature time-stamps (ETSI EN 319 122-1 §5.3): the token's imprint must be the hash of the signature value.</summary>
internal static class Timestamps
{
    public static TimestampSummary CheckSignatureTimestamp(ReadOnlyMemory<byte> token, byte[] signatureValue, IReadOnlyList<X509Certificate2> embedded,
        TrustAnchors anchors, SignatureFinding finding)
    {
        if (!Rfc3161TimestampToken.TryDecode(token, out var decoded, out _))
        {
            finding.Problems.Add("The signature's time-stamp token cannot be read.");
            finding.Integrity = SignatureIntegrity.Malformed;
            return new TimestampSummary(DateTimeOffset.MinValue, false, null, "", "The time-stamp token cannot be read.");
        }
        var info = decoded.TokenInfo;
        var digest = SignatureAlgorithms.DigestName(info.HashAlgorithmId.Value ?? "");
        var extra = new X509Certificate2Collection(embedded.ToArray());
        bool verified;
        X509Certificate2? authority;
        try
        {
            verified = decoded.VerifySignatureForData(signatureValue, out authority, extra);
        }
        catch (CryptographicException)
        {
            (verified, authority) = (false, null);
        }
        if (!verified)
        {
            const string problem = "The signature's time-stamp does not match the signature, or its own signature does not verify.";
            finding.Problems.Add(problem);
            finding.Integrity = SignatureIntegrity.Broken;
            return new TimestampSummary(info.Timestamp, false, authority is null ? null : Certificates.Summarise(authority), digest, problem);
        }
        string? trustProblem = null;
        if (anchors.Certificates.Count > 0)
        {
            var tokenCertificates = decoded.AsSignedCms().Certificates.Cast<X509Certificate2>().Concat(embedded);
            if (TrustEvaluator.Evaluate(authority!, tokenCertificates, anchors, info.Timestamp, finding, timeStamping: true) != SignerTrust.Trusted)
            {
                trustProblem = "The time-stamp authority does not chain to a configured trust anchor, so the time is the authority's word only.";
                finding.Problems.Add(trustProblem);
            }
        }
        return new TimestampSummary(info.Timestamp, true, Certificates.Summarise(authority!), digest, trustProblem);
    }
}
