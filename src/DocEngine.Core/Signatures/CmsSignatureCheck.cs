using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Cms;
using DocEngine.Core.Signatures.Revocation;

namespace DocEngine.Core.Signatures;

/// <summary>What checking a signature needs besides the signature: the trust anchors, the document's DSS, and a revocation fetcher when the caller opted in.</summary>
internal sealed record CheckContext(TrustAnchors Anchors, DocumentSecurityStore? Dss, IRevocationFetcher? Fetcher, CancellationToken CancellationToken)
{
    public static CheckContext Offline(TrustAnchors anchors) => new(anchors, null, null, CancellationToken.None);
}

/// <summary>The bytes a signature covers: hashed as a stream of ranges, or concatenated when an algorithm needs the message.</summary>
internal interface ISignedContent
{
    byte[] Hash(HashAlgorithmName algorithm);

    byte[] ToArray();
}

/// <summary>
/// Checks one CMS signature value against the bytes it covers (RFC 5652 §5.4–5.6, ISO 32000-2 §12.8.3.3, ETSI EN 319 142-1
/// §6.3): message digest, signature, signer certificate (by issuer/serial or key identifier), ESS signing certificate,
/// refused digests, the signature time-stamp (RFC 3161) and trust.
/// </summary>
internal static class CmsSignatureCheck
{
    /// <summary>SHA-1 is refused for signatures made from this date on (ETSI TS 119 312; CA/Browser Forum sunset).</summary>
    public static readonly DateTimeOffset Sha1Sunset = new(2016, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Check(SignatureFinding finding, byte[] contents, string subFilter, ISignedContent content, CheckContext context, DateTimeOffset? claimedTime)
    {
        try
        {
            CheckParsed(finding, contents, subFilter, content, context, claimedTime);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            // The CMS envelope parsed, but something inside it (a certificate's dates, an attribute's value, a
            // time-stamp token) is not the DER it claims to be: a damaged signature, never a crash (found by fuzzing).
            finding.Timestamp = null;
            Fail(finding, SignatureIntegrity.Malformed,
                "Part of this signature (a certificate or a signed attribute inside it) is damaged and cannot be read, so the signature cannot be checked.");
        }
    }

    private static void CheckParsed(SignatureFinding finding, byte[] contents, string subFilter, ISignedContent content, CheckContext context, DateTimeOffset? claimedTime)
    {
        var anchors = context.Anchors;
        if (subFilter == "adbe.x509.rsa_sha1")
        {
            Fail(finding, SignatureIntegrity.Unsupported, "This is an old kind of signature (adbe.x509.rsa_sha1, SHA-1 only) that ISO 32000-2 deprecates and DocEngine does not check.");
            return;
        }
        if (subFilter is not ("adbe.pkcs7.detached" or "ETSI.CAdES.detached" or "adbe.pkcs7.sha1" or "ETSI.RFC3161" or "detached CMS"))
        {
            Fail(finding, SignatureIntegrity.Unsupported, $"The signature format /{subFilter} is not one DocEngine can check.");
            return;
        }
        CmsSignedData cms;
        try
        {
            cms = CmsSignedData.Parse(contents);
        }
        catch (CmsFormatException e)
        {
            Fail(finding, SignatureIntegrity.Malformed, Sentence(e.Message));
            return;
        }
        if (contents.AsSpan(cms.EncodedLength).ContainsAnyExcept((byte)0))
        {
            Fail(finding, SignatureIntegrity.Malformed, "The signature value carries extra data after the CMS structure.");
            return;
        }
        if (cms.Signers.Count != 1)
        {
            Fail(finding, SignatureIntegrity.Malformed, $"A PDF signature must hold exactly one signer; this one holds {cms.Signers.Count}.");
            return;
        }
        var signer = cms.Signers[0];
        finding.DigestAlgorithm = SignatureAlgorithms.DigestName(signer.DigestAlgorithm);
        finding.SignatureAlgorithm = SignatureAlgorithms.SignatureName(signer.SignatureAlgorithm);
        var signedTime = SigningTimeAttribute(signer);
        finding.SigningTime ??= claimedTime ?? signedTime;
        var isTimestamp = subFilter == "ETSI.RFC3161";
        var contentToCheck = EncapsulatedContent(finding, cms, subFilter, content);
        if (contentToCheck is null)
        {
            return;
        }
        var certificate = cms.Certificates.FirstOrDefault(signer.Identifies) ?? anchors.Certificates.FirstOrDefault(signer.Identifies);
        if (certificate is not null)
        {
            finding.Signer = Certificates.Summarise(certificate);
        }
        var hash = SignatureAlgorithms.DigestHash(signer.DigestAlgorithm);
        if (hash is null)
        {
            Fail(finding, SignatureIntegrity.Unsupported, $"The digest {finding.DigestAlgorithm} is not one DocEngine can check.");
            return;
        }
        if (SignatureAlgorithms.PairingProblem(signer) is { } pairing)
        {
            Fail(finding, SignatureIntegrity.Malformed, Sentence("This signature's algorithms do not go together: " + pairing));
            return;
        }
        if (signer.SignedAttributesDer is null && isTimestamp)
        {
            Fail(finding, SignatureIntegrity.Malformed, "A time-stamp token must carry signed attributes (RFC 3161 §2.4.2).");
            return;
        }
        var integrity = CheckDigestAndSignature(finding, cms, signer, certificate, hash.Value, contentToCheck);
        if (integrity != SignatureIntegrity.Intact)
        {
            finding.Integrity = integrity;
            finding.Trust = certificate is null ? SignerTrust.UnknownSigner : SignerTrust.Untrusted;
            return;
        }
        finding.Integrity = SignatureIntegrity.Intact;
        if (isTimestamp)
        {
            finding.Timestamp = DocumentTimestamp(cms, certificate!);
        }
        else if (signer.Unsigned(CmsSignerInfo.TimestampTokenAttribute).FirstOrDefault() is { Length: > 0 } token)
        {
            finding.Timestamp = Timestamps.CheckSignatureTimestamp(token, signer.Signature, cms.Certificates, anchors, finding);
        }
        RefuseWeakDigests(finding, signer, hash.Value, isTimestamp ? cms.EContent : null);
        var material = new RevocationMaterial();
        material.AddSignature(cms, signer);
        if (context.Dss is { } dss)
        {
            if (dss.ForSignature(contents, cms.EncodedLength) is { } vri)
            {
                material.Add(vri, "DSS (this signature's VRI entry)");
            }
            material.Add(dss.All, "DSS");
        }
        var verifiedTime = finding.Timestamp is { Verified: true } stamp ? stamp.Time : (DateTimeOffset?)null;
        finding.TrustCheckedAt = verifiedTime ?? finding.SigningTime ?? DateTimeOffset.UtcNow;
        finding.TrustTimeIsClaimed = verifiedTime is null;
        finding.Trust = TrustEvaluator.Evaluate(certificate!, cms.Certificates.Concat(material.Certificates), anchors, finding.TrustCheckedAt.Value, finding, out var chain);
        RevocationEvaluator.Evaluate(finding, chain, material, anchors, finding.TrustCheckedAt.Value, !finding.TrustTimeIsClaimed, context.Fetcher, context.CancellationToken);
    }

    private static ISignedContent? EncapsulatedContent(SignatureFinding finding, CmsSignedData cms, string subFilter, ISignedContent content)
    {
        switch (subFilter)
        {
            case "adbe.pkcs7.detached" or "ETSI.CAdES.detached" or "detached CMS":
                if (cms.EContent is not null)
                {
                    Fail(finding, SignatureIntegrity.Malformed, $"A detached signature (/{subFilter}) must not carry content inside it, and this one does.");
                    return null;
                }
                return content;
            case "adbe.pkcs7.sha1":
                if (cms.EContent is null || !cms.EContent.AsSpan().SequenceEqual(content.Hash(HashAlgorithmName.SHA1)))
                {
                    Fail(finding, SignatureIntegrity.Broken, "The document's bytes no longer match the SHA-1 digest inside the signature.");
                    return null;
                }
                return new BytesContent(cms.EContent);
            default: // ETSI.RFC3161: the TSTInfo's message imprint must be the hash of the covered bytes.
                if (cms.EContentType != CmsSignedData.IdTstInfo || cms.EContent is null
                    || !Rfc3161TimestampTokenInfo.TryDecode(cms.EContent, out var info, out _))
                {
                    Fail(finding, SignatureIntegrity.Malformed, "A document time-stamp must hold an RFC 3161 time-stamp token, and this one does not.");
                    return null;
                }
                var imprintHash = SignatureAlgorithms.DigestHash(info.HashAlgorithmId.Value ?? "");
                if (imprintHash is null || !info.GetMessageHash().Span.SequenceEqual(content.Hash(imprintHash.Value)))
                {
                    Fail(finding, SignatureIntegrity.Broken, "The document's bytes no longer match the time-stamp's message imprint.");
                    return null;
                }
                finding.SigningTime = info.Timestamp;
                return new BytesContent(cms.EContent);
        }
    }

    private static SignatureIntegrity CheckDigestAndSignature(SignatureFinding finding, CmsSignedData cms, CmsSignerInfo signer, X509Certificate2? certificate,
        HashAlgorithmName hash, ISignedContent content)
    {
        byte[] message;
        if (signer.SignedAttributesDer is { } attributes)
        {
            if (signer.Signed(CmsSignerInfo.MessageDigestAttribute) is not { } digestValue)
            {
                finding.Problems.Add("The signature has signed attributes but no single message digest among them.");
                return SignatureIntegrity.Malformed;
            }
            var claimed = new AsnReader(digestValue, AsnEncodingRules.BER).ReadOctetString();
            if (!claimed.AsSpan().SequenceEqual(content.Hash(hash)))
            {
                finding.Problems.Add("The document's bytes no longer match the digest the signer signed: it was changed after signing.");
                return SignatureIntegrity.Broken;
            }
            if (signer.Signed(CmsSignerInfo.ContentTypeAttribute) is { } type
                && new AsnReader(type, AsnEncodingRules.BER).ReadObjectIdentifier() != cms.EContentType)
            {
                finding.Problems.Add("The signed content-type attribute does not match the signed content.");
                return SignatureIntegrity.Malformed;
            }
            message = attributes;
        }
        else
        {
            message = content.ToArray();
        }
        if (certificate is null)
        {
            finding.Problems.Add("The signature does not include the signer's certificate, so who signed cannot be known and the signature cannot be checked.");
            return SignatureIntegrity.Unsupported;
        }
        try
        {
            if (SignatureAlgorithms.Verify(certificate, signer, message) is { } failure)
            {
                finding.Problems.Add(Sentence(failure));
                return SignatureIntegrity.Broken;
            }
        }
        catch (Exception e) when (e is NotSupportedException or CryptographicException or ArgumentException)
        {
            finding.Problems.Add(Sentence(e.Message));
            return SignatureIntegrity.Unsupported;
        }
        if (EssCertificateMismatch(signer, certificate))
        {
            finding.Problems.Add("The signature names a different signing certificate (ESS signing-certificate attribute) than the one that verifies it.");
            return SignatureIntegrity.Broken;
        }
        return SignatureIntegrity.Intact;
    }

    private static void RefuseWeakDigests(SignatureFinding finding, CmsSignerInfo signer, HashAlgorithmName hash, byte[]? timestampInfo)
    {
        var when = finding.Timestamp is { Verified: true } stamp ? stamp.Time : finding.SigningTime;
        if (timestampInfo is not null && Rfc3161TimestampTokenInfo.TryDecode(timestampInfo, out var info, out _)
            && SignatureAlgorithms.DigestHash(info.HashAlgorithmId.Value ?? "") is { } imprint && (imprint == HashAlgorithmName.MD5 || imprint == HashAlgorithmName.SHA1))
        {
            hash = imprint; // a document time-stamp is as strong as the digest of the document it names
        }
        var weak = hash == HashAlgorithmName.MD5 || signer.SignatureAlgorithm == "1.2.840.113549.1.1.4"
            || (hash == HashAlgorithmName.SHA1 || signer.SignatureAlgorithm is "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1") && (when is null || when >= Sha1Sunset);
        if (weak)
        {
            finding.Integrity = SignatureIntegrity.Unsupported;
            finding.Problems.Add(hash == HashAlgorithmName.MD5
                ? "The signature uses MD5, which is broken: it cannot prove the document is unchanged. Ask for the document to be signed again."
                : $"The signature uses SHA-1, which is not accepted for signatures made after {Sha1Sunset:yyyy}: ask for the document to be signed again.");
        }
    }

    private static bool EssCertificateMismatch(CmsSignerInfo signer, X509Certificate2 certificate)
    {
        try
        {
            var v2 = signer.Signed(CmsSignerInfo.SigningCertificateV2Attribute);
            var v1 = signer.Signed(CmsSignerInfo.SigningCertificateAttribute);
            if (v2 is null && v1 is null)
            {
                return false;
            }
            var certs = new AsnReader((v2 ?? v1)!.Value, AsnEncodingRules.BER).ReadSequence().ReadSequence();
            var first = certs.ReadSequence();
            var hash = HashAlgorithmName.SHA1;
            if (v2 is not null)
            {
                hash = HashAlgorithmName.SHA256;
                if (first.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    hash = SignatureAlgorithms.DigestHash(CmsSignerInfo.ReadAlgorithm(first).Oid) ?? hash;
                }
            }
            var expected = first.ReadOctetString();
            using var hasher = Digests.Create(hash);
            hasher.Append(certificate.RawData);
            return !expected.AsSpan().SequenceEqual(hasher.Finish());
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or NotSupportedException)
        {
            return true;
        }
    }

    private static DateTimeOffset? SigningTimeAttribute(CmsSignerInfo signer)
    {
        if (signer.Signed(CmsSignerInfo.SigningTimeAttribute) is not { } value)
        {
            return null;
        }
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static TimestampSummary DocumentTimestamp(CmsSignedData cms, X509Certificate2 authority)
    {
        Rfc3161TimestampTokenInfo.TryDecode(cms.EContent, out var info, out _);
        return new TimestampSummary(info!.Timestamp, true, Certificates.Summarise(authority),
            SignatureAlgorithms.DigestName(info.HashAlgorithmId.Value ?? ""), null);
    }

    private static void Fail(SignatureFinding finding, SignatureIntegrity integrity, string problem)
    {
        finding.Integrity = integrity;
        finding.Trust = finding.Signer is null ? SignerTrust.UnknownSigner : SignerTrust.Untrusted;
        finding.Problems.Add(problem);
    }

    public static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].TrimEnd('.') + ".";

    private sealed class BytesContent(byte[] bytes) : ISignedContent
    {
        public byte[] Hash(HashAlgorithmName algorithm)
        {
            using var hasher = Digests.Create(algorithm);
            hasher.Append(bytes);
            return hasher.Finish();
        }

        public byte[] ToArray() => bytes;
    }
}
