namespace DocEngine.Core.Archive;

/// <summary>How PDF/A-2b archival copies are made: Ghostscript's pdfwrite, sandboxed. Bound from <c>DocEngine:Archive</c>.</summary>
public sealed class ArchiveOptions
{
    /// <summary>The Ghostscript executable. Default "gs" from PATH (Debian package ghostscript).</summary>
    public string GhostscriptPath { get; set; } = "gs";

    /// <summary>
    /// The sRGB ICC profile of the output intent. Default: the first of Ghostscript's own copies that exists
    /// (<c>/usr/share/color/icc/ghostscript/srgb.icc</c> on Debian).
    /// </summary>
    public string? SrgbProfilePath { get; set; }

    /// <summary>Longest one document may take. Default 2 minutes.</summary>
    public TimeSpan MaxDocumentTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Address-space limit of Ghostscript (RLIMIT_AS), in MiB. Default 2048.</summary>
    public int MemoryLimitMegabytes { get; set; } = 2048;
}
