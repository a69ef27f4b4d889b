namespace DocEngine.Core.Signatures;

/// <summary>A detached CMS signature file (.p7s, RFC 5652) over a whole other file: integrity and trust, no revisions.</summary>
internal static class DetachedSignature
{
    public static SignatureReport Verify(ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte> content, TrustAnchors anchors)
    {
        var finding = new SignatureFinding
        {
            FieldName = "",
            SubFilter = "detached CMS",
            Kind = SignatureKind.DetachedCms,
            Coverage = SignatureCoverage.EntireFile,
            Revision = 1,
            ByteRange = [0, content.Length],
        };
        var der = Pem(signature);
        CmsSignatureCheck.Check(finding, der, finding.SubFilter, new SignedRanges(content, [0, content.Length, content.Length, 0]), CheckContext.Offline(anchors), null);
        var findings = new List<SignatureFinding> { finding };
        var verdict = SignatureVerifier.Decide(findings);
        return new SignatureReport(verdict, findings, [], [], Explanation.Write(verdict, findings, [], [], anchors), 1, anchors.Certificates.Count);
    }

    /// <summary>Accepts DER or PEM ("-----BEGIN PKCS7-----" / "CMS").</summary>
    private static byte[] Pem(ReadOnlyMemory<byte> signature)
    {
        var text = System.Text.Encoding.ASCII.GetString(signature.Span[..Math.Min(64, signature.Length)]);
        if (!text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return signature.ToArray();
        }
        var body = System.Text.Encoding.ASCII.GetString(signature.Span).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal));
        return Convert.FromBase64String(string.Concat(body).Trim());
    }
}
