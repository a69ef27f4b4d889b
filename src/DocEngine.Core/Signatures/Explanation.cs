using System.Globalization;
using System.Text;

namespace DocEngine.Core.Signatures;

/// <summary>The short paragraph an applicant reads: what this document's signatures mean, in plain words.</summary>
internal static class Explanation
{
    private const string WhatASignatureIs = "A digital signature is a cryptographic seal made with the signer's certificate; it proves who signed and that nothing changed since.";

    public static string Write(SignatureVerdict verdict, IReadOnlyList<SignatureFinding> findings, IReadOnlyList<string> unsigned,
        IReadOnlyList<NonCryptographicMark> marks, TrustAnchors anchors)
    {
        var text = new StringBuilder();
        var signatures = findings.Where(f => f.Kind != SignatureKind.DocumentTimestamp).ToList();
        var stamps = findings.Where(f => f.Kind == SignatureKind.DocumentTimestamp).ToList();
        switch (verdict)
        {
            case SignatureVerdict.NotSigned:
                text.Append("This document has no digital signature. ").Append(WhatASignatureIs);
                if (marks.Count + unsigned.Count > 0)
                {
                    text.Append(" What it has instead: ").Append(string.Join("; ", marks.Select(Describe).Concat(unsigned.Select(u => $"an empty signature field \"{u}\" that nobody has signed")))).Append('.');
                    text.Append(" A typed name, a stamp or a picture of a signature shows a name, but anyone could have put it there: it does not prove who signed or that the document is unchanged.");
                }
                if (unsigned.Count > 0)
                {
                    text.Append(" If a digital signature is required, sign the empty field with a certificate: in Adobe Acrobat Reader use \"Use a certificate\" > \"Digitally sign\" (\"Fill & Sign\" only adds a picture), or use your national e-ID software.");
                }
                break;
            case SignatureVerdict.Valid:
                text.Append(Intro(signatures, stamps)).Append(" Every signature is intact: the document is exactly what was signed")
                    .Append(AllowedChanges(findings)).Append(", and each signer's certificate comes from an authority this service trusts.");
                text.Append(signatures.All(f => f.RevocationStatus == RevocationStatus.Good)
                    ? " Revocation data in the document confirms no certificate had been revoked when it signed."
                    : " Whether a signer's certificate had been revoked when it signed is unknown: the document carries no revocation data that answers it.");
                break;
            case SignatureVerdict.ValidUntrusted:
                text.Append(Intro(signatures, stamps)).Append(" Every signature is intact: the document is exactly what was signed")
                    .Append(AllowedChanges(findings)).Append(". But who signed cannot be confirmed: ")
                    .Append(anchors.Certificates.Count == 0
                        ? "no trusted authorities are configured here, so the signer's certificate is only their own claim."
                        : "the signer's certificate does not come from an authority this service trusts (it may be self-made).");
                break;
            case SignatureVerdict.Modified:
                var change = findings.Where(f => f.ModificationLevel > f.Allowed).Select(f => f.DisallowedChange).FirstOrDefault(c => c is not null) ?? "something changed";
                text.Append(Intro(signatures, stamps)).Append(" The signatures themselves are intact, but the document was changed after it was signed in a way the signer did not allow: ")
                    .Append(change).Append(". What you see now may not be what was signed: ask the signer for a fresh signed copy.");
                break;
            default:
                var problem = findings.SelectMany(f => f.Problems).FirstOrDefault() ?? "a signature could not be checked.";
                text.Append(Intro(signatures, stamps)).Append(" At least one signature is not valid: ").Append(char.ToLowerInvariant(problem[0])).Append(problem[1..])
                    .Append(" Do not rely on it: ask for a new signed copy.");
                break;
        }
        if (verdict != SignatureVerdict.NotSigned && unsigned.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" {unsigned.Count} signature field(s) are still empty: {string.Join(", ", unsigned.Select(u => $"\"{u}\""))}.");
        }
        return text.ToString();
    }

    private static string Intro(List<SignatureFinding> signatures, List<SignatureFinding> stamps)
    {
        var who = signatures.Select(f => f.Signer is { } s ? CommonName(s.Subject) : f.SignerName ?? "an unknown signer").Distinct().ToList();
        var parts = new List<string>();
        if (signatures.Count > 0)
        {
            parts.Add($"This document carries {signatures.Count} digital signature{(signatures.Count > 1 ? "s" : "")} ({string.Join(", ", who)})");
        }
        if (stamps.Count > 0)
        {
            var authority = stamps[0].Signer is { } tsa ? CommonName(tsa.Subject) : "a time-stamp authority";
            var when = stamps[0].Timestamp?.Time ?? stamps[0].SigningTime;
            parts.Add($"{(signatures.Count > 0 ? "and" : "This document carries")} a document time-stamp from {authority}{(when is { } w ? $" proving it existed on {w:yyyy-MM-dd}" : "")}");
        }
        return string.Join(" ", parts) + ".";
    }

    private static string AllowedChanges(IReadOnlyList<SignatureFinding> findings) =>
        findings.Max(f => f.ModificationLevel) switch
        {
            ModificationLevel.FormFilling => " (only form filling or further signatures came after)",
            ModificationLevel.Annotations => " (only form filling, comments or further signatures came after)",
            ModificationLevel.Archival => " (only validation data was added after)",
            _ => "",
        };

    private static string Describe(NonCryptographicMark mark) => mark.Kind switch
    {
        MarkKind.TypedName => $"a typed name \"{mark.Text}\" in the field \"{mark.FieldName}\"",
        MarkKind.Stamp => $"a stamp on page {mark.Page}",
        MarkKind.Ink => $"a hand-drawn mark on page {mark.Page}",
        _ => $"an image in the field \"{mark.FieldName}\"",
    };

    internal static string CommonName(string subject)
    {
        foreach (var part in subject.Split(", "))
        {
            if (part.StartsWith("CN=", StringComparison.Ordinal))
            {
                return part[3..].Trim('"');
            }
        }
        return subject;
    }
}
