namespace DocEngine.Core.Ocr;

/// <summary>How scans get a searchable text layer: Tesseract, one process per core, each single-threaded. Bound from <c>DocEngine:Ocr</c>.</summary>
public sealed class OcrOptions
{
    /// <summary>The tesseract executable. Default "tesseract" from PATH (Debian packages tesseract-ocr, -eng, -fra).</summary>
    public string TesseractPath { get; set; } = "tesseract";

    /// <summary>Tesseract's languages, joined with '+'. Default "eng+fra".</summary>
    public string Languages { get; set; } = "eng+fra";

    /// <summary>Tesseract processes at once, across all requests. Default: the number of cores (each runs with OMP_THREAD_LIMIT=1).</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Longest one page's recognition may take before its process is killed. Default 60 seconds.</summary>
    public TimeSpan MaxPageTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most pages recognised in one document; a longer scan is refused. Default 300.</summary>
    public int MaxPages { get; set; } = 300;

    /// <summary>Address-space limit of each Tesseract process (RLIMIT_AS), in MiB. Default 2048.</summary>
    public int MemoryLimitMegabytes { get; set; } = 2048;

    /// <summary>
    /// Pages are drawn for recognition so that their long side has about this many pixels (300 dpi on a letter page),
    /// between 150 and 1200 dpi (a small page scanned at a high resolution keeps its detail). Default 3300.
    /// </summary>
    public int LongEdgePixels { get; set; } = 3300;
}
