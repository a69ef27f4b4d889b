namespace DocEngine.Core.Conversion;

/// <summary>
/// How Word, OpenDocument and RTF files (and spreadsheets) become PDFs: a pool of LibreOffice listeners, each a sandboxed
/// process tree with its own profile, driven over UNO. Bound from <c>DocEngine:Conversion</c>.
/// </summary>
public sealed class ConversionOptions
{
    /// <summary>LibreOffice's program, run directly (no oosplash). Default Debian's <c>/usr/lib/libreoffice/program/soffice.bin</c>.</summary>
    public string SofficePath { get; set; } = "/usr/lib/libreoffice/program/soffice.bin";

    /// <summary>The Python that has LibreOffice's UNO module (Debian's python3-uno). Default <c>/usr/bin/python3</c>.</summary>
    public string PythonPath { get; set; } = "/usr/bin/python3";

    /// <summary>LibreOffice listeners kept running; one conversion runs in each at a time. Default: the number of cores.</summary>
    public int Listeners { get; set; } = Environment.ProcessorCount;

    /// <summary>A listener is replaced by a fresh one after this many conversions (and after any failure). Default 50.</summary>
    public int ConversionsPerListener { get; set; } = 50;

    /// <summary>Longest one conversion may take; then the listener's process tree is killed and replaced. Default 60 seconds.</summary>
    public TimeSpan MaxDocumentTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest a listener may take to start. Default 2 minutes (2 to 5 seconds on a quiet machine; much more on a saturated one).</summary>
    public TimeSpan MaxStartTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Address-space limit of each listener's processes (RLIMIT_AS), in MiB. Default 4096: LibreOffice maps about 1.5 GiB before it reads anything.</summary>
    public int MemoryLimitMegabytes { get; set; } = 4096;

    /// <summary>Most pages a converted document may have; more is refused. Default 1000.</summary>
    public int MaxPages { get; set; } = 1000;

    /// <summary>Largest office file converted. Default 100 MB: letters and forms are far smaller.</summary>
    public long MaxInputBytes { get; set; } = 100_000_000;
}
