namespace DocEngine.Core.Mupdf;

/// <summary>
/// How MuPDF's <c>mutool</c> runs: the executable, its limits and how many run at once. Bound from
/// <c>DocEngine:Previews</c> (through <see cref="Previews.PreviewOptions"/>), where these keys have always lived.
/// </summary>
public class MutoolOptions
{
    /// <summary>The mutool executable. Default "mutool" from PATH (Debian package mupdf-tools).</summary>
    public string MutoolPath { get; set; } = "mutool";

    /// <summary>Longest one page may take to render before its process is killed. Default 20 seconds.</summary>
    public TimeSpan MaxPageTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest one preview request, or one rewrite of a PDF, may take. Default 2 minutes.</summary>
    public TimeSpan MaxDocumentTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Address-space limit of each renderer process (RLIMIT_AS), in MiB. Default 1024.</summary>
    public int MemoryLimitMegabytes { get; set; } = 1024;

    /// <summary>Renderer processes running at once, across all requests. Default: the number of cores.</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;
}
