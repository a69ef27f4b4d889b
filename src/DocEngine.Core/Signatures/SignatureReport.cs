namespace DocEngine.Core.Signatures;

/// <summary>What a document's signatures add up to (see Signatures/README.md for how each is decided).</summary>
public enum SignatureVerdict
{
    /// <summary>No cryptographic signature at all.</summary>
    NotSigned,
    /// <summary>Every signature intact and trusted, with no disallowed change.</summary>
    Valid,
    /// <summary>As valid, but some signer does not chain to a configured trust anchor.</summary>
    ValidUntrusted,
    /// <summary>The signatures are intact but the document was changed afterwards in a way that is not allowed.</summary>
    Modified,
    /// <summary>Some signature is broken, malformed, unsupported, or covers the document non-standardly.</summary>
    Invalid,
}

/// <summary>Whether a signature's bytes still match what was signed.</summary>
public enum SignatureIntegrity { Intact, Broken, Malformed, Unsupported }

/// <summary>What part of the file a signature covers.</summary>
public enum SignatureCoverage { EntireFile, EntireRevision, Nonstandard }

/// <summary>The most significant kind of change made after a signature, in increasing order.</summary>
public enum ModificationLevel { None, Archival, FormFilling, Annotations, Other }

/// <summary>Whether the signer's certificate chains to a configured trust anchor.</summary>
public enum SignerTrust { Trusted, Untrusted, UnknownSigner }

/// <summary>Whether the signer's certificates had been revoked when it signed (from revocation data in the document, or fetched when allowed).</summary>
public enum RevocationStatus
{
    /// <summary>Not checked: the signature could not be checked that far.</summary>
    NotChecked,
    /// <summary>Revocation data proves no certificate of the chain was revoked at the signing time.</summary>
    Good,
    /// <summary>A certificate of the chain was revoked (or suspended) before it signed, or revoked for a compromised key with the signing time unproven.</summary>
    Revoked,
    /// <summary>No usable revocation data: none carried, not signed by whom it must be, too old, or the chain incomplete.</summary>
    Unknown,
}

/// <summary>What a signature dictionary is for.</summary>
public enum SignatureKind
{
    /// <summary>An ordinary (approval) signature.</summary>
    Approval,
    /// <summary>A certification (author) signature with DocMDP permissions.</summary>
    Certification,
    /// <summary>A document time-stamp (ETSI.RFC3161): proof of existence at a time, no signer.</summary>
    DocumentTimestamp,
    /// <summary>A detached CMS signature (.p7s) over a whole file.</summary>
    DetachedCms,
}

/// <summary>A certificate as a person reads it.</summary>
public sealed record CertificateSummary(string Subject, string Issuer, string Serial, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Sha256);

/// <summary>An RFC 3161 time-stamp token and whether its imprint and signature checked out.</summary>
public sealed record TimestampSummary(DateTimeOffset Time, bool Verified, CertificateSummary? Authority, string DigestAlgorithm, string? Problem);

/// <summary>Revocation data found for a signature: where, and how many CRLs and OCSP responses.</summary>
public sealed record RevocationSummary(string Source, int Crls, int OcspResponses);

/// <summary>One signature, as checked.</summary>
public sealed class SignatureFinding
{
    public string FieldName { get; internal set; } = "";
    public string SubFilter { get; internal set; } = "";
    public SignatureKind Kind { get; internal set; }
    public CertificateSummary? Signer { get; internal set; }
    public string? SignerName { get; internal set; }
    public string? Reason { get; internal set; }
    public string? Location { get; internal set; }
    /// <summary>The signing time the signer claims (/M, else the signingTime attribute); not proof.</summary>
    public DateTimeOffset? SigningTime { get; internal set; }
    public TimestampSummary? Timestamp { get; internal set; }
    public string DigestAlgorithm { get; internal set; } = "";
    public string SignatureAlgorithm { get; internal set; } = "";
    public SignatureIntegrity Integrity { get; internal set; } = SignatureIntegrity.Malformed;
    public SignatureCoverage Coverage { get; internal set; } = SignatureCoverage.Nonstandard;
    public ModificationLevel ModificationLevel { get; internal set; }
    public SignerTrust Trust { get; internal set; } = SignerTrust.UnknownSigner;
    /// <summary>DocMDP P (1, 2 or 3) of a certification signature; 0 otherwise.</summary>
    public int DocMdp { get; internal set; }
    /// <summary>1-based revision the signature signs.</summary>
    public int Revision { get; internal set; }
    public IReadOnlyList<long> ByteRange { get; internal set; } = [];
    public List<CertificateSummary> Chain { get; } = [];
    public List<RevocationSummary> Revocation { get; } = [];
    /// <summary>Whether the signer's certificates had been revoked when it signed.</summary>
    public RevocationStatus RevocationStatus { get; internal set; }
    /// <summary>One sentence saying what the revocation check found.</summary>
    public string? RevocationDetail { get; internal set; }
    /// <summary>Plain sentences, one per change made after this signature.</summary>
    public List<string> Changes { get; } = [];
    /// <summary>Plain sentences, one per problem found.</summary>
    public List<string> Problems { get; } = [];
    /// <summary>
    /// The time certificates were checked at (the verified time-stamp's, else the signing time the signer claims, else, for a
    /// signature that claims none, the time of the check), and whether it is unproven (no verified time-stamp).
    /// </summary>
    public DateTimeOffset? TrustCheckedAt { get; internal set; }
    public bool TrustTimeIsClaimed { get; internal set; }
    /// <summary>Fields this signature locks (FieldMDP).</summary>
    public List<string> LockedFields { get; } = [];
    /// <summary>The highest modification level this signature (and any certification before it) allows.</summary>
    internal ModificationLevel Allowed { get; set; } = ModificationLevel.Annotations;
    internal long SignedRevisionEnd { get; set; }
    /// <summary>The first change after this signature that it does not allow.</summary>
    internal string? DisallowedChange { get; set; }
    internal int RevisionIndex { get; set; } = -1;
}

/// <summary>Something that looks like a signature to a person but is not a cryptographic one.</summary>
public enum MarkKind
{
    /// <summary>A text field named like a signature holding a typed name.</summary>
    TypedName,
    /// <summary>A stamp annotation (often a picture of a signature or seal).</summary>
    Stamp,
    /// <summary>An ink annotation: a hand-drawn mark.</summary>
    Ink,
    /// <summary>A button field named like a signature, showing an image.</summary>
    ImageField,
}

/// <summary>A non-cryptographic "signature" found in the document.</summary>
public sealed record NonCryptographicMark(MarkKind Kind, string? FieldName, int Page, string? Text);

/// <summary>The whole answer for one document.</summary>
public sealed record SignatureReport(
    SignatureVerdict Verdict,
    IReadOnlyList<SignatureFinding> Signatures,
    IReadOnlyList<string> UnsignedSignatureFields,
    IReadOnlyList<NonCryptographicMark> OtherMarks,
    string Explanation,
    int Revisions,
    int TrustAnchors)
{
    /// <summary>Damage to the file's structure that was worked around (a cross-reference table rebuilt by scanning), one sentence each.</summary>
    public IReadOnlyList<string> Repairs { get; init; } = [];
}
