namespace DocEngine.Core.Signatures;

/// <summary>Signature checking limits and trust configuration (section DocEngine:Signatures).</summary>
public sealed class SignatureOptions
{
    /// <summary>
    /// Wall-clock time allowed per document; default 10 seconds. It bounds hostile files, not honest ones: the slowest
    /// honest file of the shared corpus (a document security store plus a document time-stamp) takes about 2.3 s in a
    /// cold one-shot CLI and went over the former 3 s on a loaded 2-core machine.
    /// </summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>PEM files or folders of trust anchors; none by default, so no signer is "trusted".</summary>
    public List<string> TrustAnchors { get; set; } = [];

    /// <summary>Largest file checked; default 256 MiB.</summary>
    public long MaxBytes { get; set; } = 256L << 20;

    /// <summary>Revocation checking (section DocEngine:Signatures:Revocation): offline by default.</summary>
    public RevocationOptions Revocation { get; set; } = new();
}

/// <summary>
/// Revocation checking. Revocation data carried in the document is always evaluated; fetching more from the
/// certificates' OCSP responders and CRL distribution points happens only when <see cref="Fetch"/> is on.
/// </summary>
public sealed class RevocationOptions
{
    /// <summary>Fetch OCSP responses and CRLs over the network when the document carries none usable; off by default (no network).</summary>
    public bool Fetch { get; set; }

    /// <summary>Time allowed per request when fetching; default 2 seconds. The whole check stays under <see cref="SignatureOptions.TimeLimit"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}
