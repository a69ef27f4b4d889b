namespace DocEngine.Core;

/// <summary>Configuration of the core, bound from the <c>DocEngine</c> configuration section.</summary>
public sealed class DocEngineOptions
{
    /// <summary>Configuration section the server binds this from.</summary>
    public const string Section = "DocEngine";

    /// <summary>Root of the embedded storage: blobs, upload part files and the SQLite database. Default <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Limits and timings of resumable uploads.</summary>
    public UploadOptions Uploads { get; set; } = new();

    /// <summary>Limits and defaults for inspecting and processing documents.</summary>
    public ProcessingOptions Processing { get; set; } = new();

    /// <summary>The sandboxed PDF renderer and preview defaults.</summary>
    public PreviewOptions Previews { get; set; } = new();

    /// <summary>Signature verification limits and trust anchors.</summary>
    public Signatures.SignatureOptions Signatures { get; set; } = new();

    /// <summary>Receipt signing keys.</summary>
    public Receipts.ReceiptOptions Receipts { get; set; } = new();
}

/// <summary>
/// Previews: PDF pages are rendered by MuPDF's <c>mutool draw</c> in child processes under hard limits; images go through
/// the image pipeline.
/// </summary>
public sealed class PreviewOptions
{
    /// <summary>The mutool executable. Default "mutool" from PATH (Debian package mupdf-tools).</summary>
    public string MutoolPath { get; set; } = "mutool";

    /// <summary>Longest one page may take to render before its process is killed. Default 20 seconds.</summary>
    public TimeSpan MaxPageTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest one preview request may take. Default 2 minutes.</summary>
    public TimeSpan MaxDocumentTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Address-space limit of each renderer process (RLIMIT_AS), in MiB. Default 1024.</summary>
    public int MemoryLimitMegabytes { get; set; } = 1024;

    /// <summary>Renderer processes running at once, across all requests. Default: the number of cores.</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Pages one renderer process draws in a row; page 1 always gets a process of its own, to come back first. Default 8.</summary>
    public int PagesPerProcess { get; set; } = 8;

    /// <summary>Preview width when the caller gives neither width nor dpi. Default 1000 pixels.</summary>
    public int DefaultWidth { get; set; } = 1000;

    /// <summary>Largest width (or dpi-derived width) a caller may ask for. Default 4000 pixels.</summary>
    public int MaxWidth { get; set; } = 4000;

    /// <summary>Thumbnail width on the contact sheet. Default 240 pixels.</summary>
    public int ContactSheetThumbnailWidth { get; set; } = 240;
}

/// <summary>
/// Limits on what one document may cost to inspect or process, counted on output (decoded pixels, frames, time),
/// and the defaults of normalization. Breaches are refused with RESOURCE_EXHAUSTED and a sentence.
/// </summary>
public sealed class ProcessingOptions
{
    /// <summary>Most pixels one image or page may decode to, checked from the header before decoding. Default 100 megapixels.</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>Most frames or pages one image file may have. Default 500.</summary>
    public int MaxFrames { get; set; } = 500;

    /// <summary>Most memory the image decoders may hold at once, in MiB. Default 1024.</summary>
    public int MaxImageMemoryMegabytes { get; set; } = 1024;

    /// <summary>
    /// Memory the image decoders keep pooled between images, in MiB. Default 256: with 64, every 12-MP photo paid for
    /// fresh buffers and the forced collections they bring (2.2× slower, benchmarks/README.md).
    /// </summary>
    public int ImagePoolMegabytes { get; set; } = 256;

    /// <summary>Longest one inspection or processing run may take. Default 60 seconds.</summary>
    public TimeSpan MaxProcessingTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>JPEG quality of re-encoded photos. Default 85.</summary>
    public int JpegQuality { get; set; } = 85;

    /// <summary>Most PDF pages inspected for a text layer. Default 50.</summary>
    public int MaxPdfPagesForText { get; set; } = 50;

    /// <summary>Resolution PDF images are brought down to when compressing without a byte budget. Default 150 (the portals' advice).</summary>
    public int PdfImageDpi { get; set; } = 150;

    /// <summary>JPEG quality of recompressed PDF images when compressing without a byte budget, and the top of the budget ladder. Default 75.</summary>
    public int PdfJpegQuality { get; set; } = 65;

    /// <summary>Legibility floor: a byte budget never takes images below this resolution. Default 100 dpi.</summary>
    public int MinPdfImageDpi { get; set; } = 100;

    /// <summary>Legibility floor: a byte budget never takes JPEG quality below this. Default 40.</summary>
    public int MinPdfJpegQuality { get; set; } = 40;
}

/// <summary>Limits and timings of resumable uploads. Every limit is enforced on bytes actually received.</summary>
public sealed class UploadOptions
{
    /// <summary>Largest file one upload may carry. Default 2 GiB: the point is to accept oversized files and shrink them.</summary>
    public long MaxUploadBytes { get; set; } = 2L << 30;

    /// <summary>Largest single chunk. Default 4 MiB, the gRPC default message size.</summary>
    public int MaxChunkBytes { get; set; } = 4 << 20;

    /// <summary>Upload calls one tenant may have in flight at once. Default 64.</summary>
    public int MaxConcurrentUploadsPerTenant { get; set; } = 64;

    /// <summary>An open session untouched for this long is deleted. Default 24 hours; each append moves it forward.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired sessions and stray part files are collected. Default 5 minutes.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A stream makes its offset durable after this many new bytes. Default 8 MiB.</summary>
    public long CommitEveryBytes { get; set; } = 8 << 20;

    /// <summary>A stream makes its offset durable at least this often while bytes arrive. Default 1 second.</summary>
    public TimeSpan CommitEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a call waits for another call that is still writing the same upload. Default 15 seconds.</summary>
    public TimeSpan SessionLockWait { get; set; } = TimeSpan.FromSeconds(15);
}
