using System.Globalization;
using DocEngine.Core.Signatures.Changes;
using DocEngine.Core.Signatures.Revocation;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Verifies every signature of a PDF the way strict validators do (see Signatures/README.md): ByteRange sanity, CMS
/// integrity, trust at signing time, and difference analysis of every later revision under DocMDP and FieldMDP. It also
/// says what non-cryptographic "signatures" the document holds. Each call runs under <see cref="SignatureOptions.TimeLimit"/>.
/// With <see cref="RevocationOptions.Fetch"/> on, revocation data is fetched by <paramref name="fetcher"/> (HTTP when none is given).
/// </summary>
public sealed class SignatureVerifier(SignatureOptions options, TrustAnchors anchors, TimeProvider? time = null, IRevocationFetcher? fetcher = null)
{
    private readonly IRevocationFetcher? _fetcher = options.Revocation.Fetch ? fetcher ?? new HttpRevocationFetcher(options.Revocation.Timeout) : null;

    public TrustAnchors Anchors { get; } = anchors;

    /// <summary>Verifies a PDF; <paramref name="extraAnchors"/> are trusted for this call in addition to the configured ones.</summary>
    public Task<SignatureReport> VerifyPdfAsync(ReadOnlyMemory<byte> pdf, string? password, TrustAnchors? extraAnchors, CancellationToken cancellationToken) =>
        RunAsync(token => VerifyPdf(pdf, password, extraAnchors is null ? Anchors : Anchors.With(extraAnchors.Certificates), token, _fetcher), cancellationToken);

    /// <summary>Verifies a detached CMS signature (.p7s) over <paramref name="content"/>.</summary>
    public Task<SignatureReport> VerifyDetachedAsync(ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte> content, TrustAnchors? extraAnchors, CancellationToken cancellationToken) =>
        RunAsync(_ => DetachedSignature.Verify(signature, content, extraAnchors is null ? Anchors : Anchors.With(extraAnchors.Certificates)), cancellationToken);

    private Task<SignatureReport> RunAsync(Func<CancellationToken, SignatureReport> work, CancellationToken cancellationToken) =>
        TimeLimit.RunAsync(work, options.TimeLimit, cancellationToken, () => new DocEngineException(ErrorKind.ResourceExhausted, "SIGNATURE_CHECK_TIMEOUT",
            $"Checking this document's signatures took longer than {options.TimeLimit.TotalSeconds:0.#} seconds, which no honest signed PDF needs: ask for a fresh copy of the signed document."), time);

    /// <summary>
    /// The whole check, a pure function of the bytes, the password, the anchors and (when not null) a revocation fetcher;
    /// no time limit (see <see cref="VerifyPdfAsync"/>).
    /// </summary>
    internal static SignatureReport VerifyPdf(ReadOnlyMemory<byte> pdf, string? password, TrustAnchors anchors, CancellationToken cancellationToken,
        IRevocationFetcher? fetcher = null)
    {
        if (pdf.Span[..Math.Min(1024, pdf.Length)].IndexOf("%PDF-"u8) < 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "NOT_A_PDF",
                "This file is not a PDF, so it cannot hold a PDF signature: for a detached signature (.p7s), give the signed file too.");
        }
        try
        {
            return Verify(pdf, password, anchors, cancellationToken, fetcher);
        }
        catch (PdfSyntaxException e)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "PDF_STRUCTURE_UNREADABLE",
                $"This PDF's structure cannot be read ({e.Message}), so its signatures cannot be checked: ask for a fresh copy from whoever produced it.");
        }
    }

    private static SignatureReport Verify(ReadOnlyMemory<byte> pdf, string? password, TrustAnchors anchors, CancellationToken cancellationToken,
        IRevocationFetcher? fetcher)
    {
        var file = PdfFile.Open(pdf, cancellationToken);
        PdfEncryption.Unlock(file, password);
        var structure = new DocumentStructure(file, file.Last);
        var context = new CheckContext(anchors, DocumentSecurityStore.Read(file, structure), fetcher, cancellationToken);
        var findings = new List<SignatureFinding>();
        var unsigned = new List<string>();
        var analysis = new DifferenceAnalysis(file, cancellationToken);
        foreach (var field in structure.Fields.Where(f => f.Type == "Sig"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            PdfObject? value;
            try
            {
                value = structure.Resolve(field.Dictionary["V"]);
            }
            catch (PdfSyntaxException)
            {
                // An unreadable signature value is a malformed signature, not an unreadable document.
                findings.Add(PdfSignatureCheck.Check(file, field, context));
                continue;
            }
            if (value is not PdfDictionary dictionary || !HoldsSignature(dictionary))
            {
                unsigned.Add(field.Name);
                continue;
            }
            findings.Add(PdfSignatureCheck.Check(file, field, context));
        }
        findings = findings.OrderBy(f => f.SignedRevisionEnd == 0 ? long.MaxValue : f.SignedRevisionEnd).ToList();
        Modifications.Apply(file, analysis, findings, structure);
        var marks = Marks.Find(structure);
        var verdict = Decide(findings);
        var explanation = Explanation.Write(verdict, findings, unsigned, marks, anchors);
        if (file.Repairs.Count > 0)
        {
            explanation += " This file's structure is damaged: DocEngine rebuilt it the way PDF readers do before checking it.";
        }
        return new SignatureReport(verdict, findings, unsigned, marks, explanation, file.Revisions.Count, anchors.Certificates.Count)
        {
            Repairs = file.Repairs.ToList(),
        };
    }

    /// <summary>A zero-filled /Contents is a field prepared for signing, not a signature (DSS pdf-with-empty-sig.pdf).</summary>
    private static bool HoldsSignature(PdfDictionary value) =>
        value["Contents"] is PdfString contents && contents.Bytes.AsSpan().ContainsAnyExcept((byte)0);

    internal static SignatureVerdict Decide(IReadOnlyList<SignatureFinding> findings)
    {
        if (findings.Count == 0)
        {
            return SignatureVerdict.NotSigned;
        }
        if (findings.Any(f => f.Integrity != SignatureIntegrity.Intact || f.Coverage == SignatureCoverage.Nonstandard || f.Trust == SignerTrust.UnknownSigner
            || f.RevocationStatus == RevocationStatus.Revoked))
        {
            return SignatureVerdict.Invalid;
        }
        if (findings.Any(f => f.ModificationLevel > f.Allowed))
        {
            return SignatureVerdict.Modified;
        }
        return findings.All(f => f.Trust == SignerTrust.Trusted) ? SignatureVerdict.Valid : SignatureVerdict.ValidUntrusted;
    }

    /// <summary>Reads a PDF date (§7.9.4), "D:YYYYMMDDHHmmSSOHH'mm'", with any tail missing; null when unreadable.</summary>
    internal static DateTimeOffset? ParseDate(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var s = text.StartsWith("D:", StringComparison.Ordinal) ? text[2..] : text;
        var digits = new string(s.TakeWhile(char.IsAsciiDigit).ToArray());
        if (digits.Length < 4)
        {
            return null;
        }
        int Part(int start, int length, int fallback) =>
            digits.Length >= start + length ? int.Parse(digits.AsSpan(start, length), CultureInfo.InvariantCulture) : fallback;
        var offset = TimeSpan.Zero;
        var rest = s[digits.Length..];
        if (rest.Length > 0 && rest[0] is '+' or '-')
        {
            var zone = new string(rest[1..].Where(char.IsAsciiDigit).ToArray());
            var hours = zone.Length >= 2 ? int.Parse(zone.AsSpan(0, 2), CultureInfo.InvariantCulture) : 0;
            var minutes = zone.Length >= 4 ? int.Parse(zone.AsSpan(2, 2), CultureInfo.InvariantCulture) : 0;
            offset = new TimeSpan(hours, minutes, 0) * (rest[0] == '-' ? -1 : 1);
        }
        try
        {
            return new DateTimeOffset(Part(0, 4, 1), Part(4, 2, 1), Part(6, 2, 1), Part(8, 2, 0), Part(10, 2, 0), Part(12, 2, 0), offset);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
