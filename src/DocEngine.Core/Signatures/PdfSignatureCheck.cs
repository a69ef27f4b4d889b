using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Checks one signature field's value: what kind of signature it is (approval, certification with DocMDP, document
/// time-stamp), where its signature dictionary lives, its ByteRange and coverage, and its CMS.
/// </summary>
internal static class PdfSignatureCheck
{
    public static SignatureFinding Check(PdfFile file, FormField field, CheckContext context)
    {
        var finding = new SignatureFinding { FieldName = field.Name };
        try
        {
            return Check(file, field, context, finding);
        }
        catch (Exception e) when (e is PdfSyntaxException or System.Formats.Asn1.AsnContentException or System.Security.Cryptography.CryptographicException)
        {
            // Whatever part of this signature is unreadable makes it malformed; the other signatures are still checked.
            finding.Integrity = SignatureIntegrity.Malformed;
            finding.Trust = finding.Signer is null ? SignerTrust.UnknownSigner : finding.Trust;
            finding.Problems.Add(CmsSignatureCheck.Sentence("This signature cannot be read: " + e.Message.TrimEnd('.')));
            return finding;
        }
    }

    private static SignatureFinding Check(PdfFile file, FormField field, CheckContext context, SignatureFinding finding)
    {
        var reference = field.Dictionary["V"] as PdfReference;
        var final = file.Resolve(field.Dictionary["V"], file.Last) as PdfDictionary
            ?? throw new PdfSyntaxException("the signature field's value is not a signature dictionary");
        finding.SubFilter = final.Name("SubFilter") ?? "";
        var (ranges, problem) = ByteRangeCheck.Read(final["ByteRange"], file.Length);
        if (ranges is not null)
        {
            finding.ByteRange = ranges;
        }
        if (problem is not null || ranges is null)
        {
            Describe(finding, final);
            finding.Integrity = SignatureIntegrity.Malformed;
            finding.Trust = SignerTrust.UnknownSigner;
            finding.Problems.Add(problem!);
            return finding;
        }
        var signedEnd = ranges[2] + ranges[3];
        finding.SignedRevisionEnd = signedEnd;
        var revision = ByteRangeCheck.SignedRevision(file, signedEnd);
        // The dictionary that was signed is the one in the signed revision; a later copy is a change (see the analysis).
        var signed = revision is { } r && reference is not null ? file.Get(reference.Number, r) as PdfDictionary ?? final : final;
        Describe(finding, signed);
        if (revision is null)
        {
            finding.Problems.Add("The signed bytes do not end where the file or one of its revisions ends, so the signature covers the document non-standardly.");
        }
        else
        {
            finding.RevisionIndex = revision.Value;
            finding.Revision = revision.Value + 1;
            finding.Coverage = signedEnd == file.Length ? SignatureCoverage.EntireFile : SignatureCoverage.EntireRevision;
            if (reference is not null && file.Locate(reference.Number, revision.Value) is null)
            {
                finding.Problems.Add("The signature dictionary is not part of the revision it signs.");
                finding.Coverage = SignatureCoverage.Nonstandard;
            }
        }
        if (!PdfObject.Same(signed["ByteRange"], final["ByteRange"], file.Span))
        {
            finding.Problems.Add("The signature's /ByteRange was rewritten after signing.");
            finding.Coverage = SignatureCoverage.Nonstandard;
        }
        var contents = signed["Contents"] as PdfString;
        if (ByteRangeCheck.GapProblem(ranges, contents) is { } gap)
        {
            finding.Problems.Add(gap);
            finding.Coverage = SignatureCoverage.Nonstandard;
        }
        if (contents is null)
        {
            finding.Integrity = SignatureIntegrity.Malformed;
            return finding;
        }
        CmsSignatureCheck.Check(finding, contents.Bytes, finding.SubFilter, new SignedRanges(file.Memory, ranges), context, finding.SigningTime);
        return finding;
    }

    private static void Describe(SignatureFinding finding, PdfDictionary signature)
    {
        finding.SignerName = (signature["Name"] as PdfString)?.Text;
        finding.Reason = (signature["Reason"] as PdfString)?.Text;
        finding.Location = (signature["Location"] as PdfString)?.Text;
        finding.SigningTime = SignatureVerifier.ParseDate((signature["M"] as PdfString)?.Text);
        finding.Kind = signature.Name("Type") == "DocTimeStamp" || finding.SubFilter == "ETSI.RFC3161" ? SignatureKind.DocumentTimestamp : SignatureKind.Approval;
        if (Transform(signature, "DocMDP") is { } docMdp)
        {
            finding.Kind = SignatureKind.Certification;
            var p = (docMdp["P"] as PdfNumber)?.AsLong ?? 2;
            finding.DocMdp = (int)Math.Clamp(p, 1, 3);
        }
        if (Transform(signature, "FieldMDP") is { } fieldMdp)
        {
            finding.LockedFields.AddRange(FieldLocks.Describe(fieldMdp));
        }
    }

    /// <summary>The /TransformParams of the signature reference with this /TransformMethod (§12.8.2), when direct.</summary>
    internal static PdfDictionary? Transform(PdfDictionary signature, string method) =>
        (signature["Reference"] as PdfArray)?.Items.OfType<PdfDictionary>()
            .FirstOrDefault(r => r.Name("TransformMethod") == method)?["TransformParams"] as PdfDictionary;
}

/// <summary>FieldMDP locks (§12.8.2.4): /Action /All, /Include or /Exclude over /Fields.</summary>
internal static class FieldLocks
{
    public static IEnumerable<string> Describe(PdfDictionary parameters)
    {
        var names = Names(parameters);
        return parameters.Name("Action") switch
        {
            "All" => ["*"],
            "Exclude" => names.Select(n => "!" + n),
            _ => names,
        };
    }

    /// <summary>Whether the lock expressed by <paramref name="locks"/> (from <see cref="Describe"/>) covers <paramref name="field"/>.</summary>
    public static bool Covers(IReadOnlyCollection<string> locks, string field)
    {
        if (locks.Count == 0)
        {
            return false;
        }
        if (locks.Contains("*"))
        {
            return true;
        }
        var excluded = locks.Where(l => l.StartsWith('!')).Select(l => l[1..]).ToList();
        if (excluded.Count > 0)
        {
            return !excluded.Any(e => Matches(e, field));
        }
        return locks.Any(l => Matches(l, field));
    }

    private static bool Matches(string locked, string field) =>
        field == locked || field.StartsWith(locked + ".", StringComparison.Ordinal);

    private static List<string> Names(PdfDictionary parameters) =>
        (parameters["Fields"] as PdfArray)?.Items.OfType<PdfString>().Select(s => s.Text).ToList() ?? [];
}
