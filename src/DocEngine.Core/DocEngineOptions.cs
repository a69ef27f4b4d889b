using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Uploads;

namespace DocEngine.Core;

/// <summary>Configuration of the core, bound from the <c>DocEngine</c> configuration section.</summary>
public sealed class DocEngineOptions
{
    /// <summary>Configuration section the server binds this from.</summary>
    public const string Section = "DocEngine";

    /// <summary>This node's data: the embedded storage (blobs, upload part files, the SQLite database) and, with any provider, its scratch space. Default <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>This node's name, unique in a cluster and stable across its restarts (its leases in shared stores are filed under it). Default the machine name.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Which storage provider holds the metadata and the bytes (section DocEngine:Storage); default embedded.</summary>
    public Storage.StorageOptions Storage { get; set; } = new();

    /// <summary>Limits and timings of resumable uploads.</summary>
    public UploadOptions Uploads { get; set; } = new();

    /// <summary>Limits and defaults for inspecting and processing documents.</summary>
    public ProcessingOptions Processing { get; set; } = new();

    /// <summary>The sandboxed PDF renderer and preview defaults.</summary>
    public PreviewOptions Previews { get; set; } = new();

    /// <summary>Signature verification limits and trust anchors.</summary>
    public Signatures.SignatureOptions Signatures { get; set; } = new();

    /// <summary>Office documents into PDF: the LibreOffice listener pool.</summary>
    public Conversion.ConversionOptions Conversion { get; set; } = new();

    /// <summary>Searchable text for scans: Tesseract.</summary>
    public Ocr.OcrOptions Ocr { get; set; } = new();

    /// <summary>PDF/A-2b copies: Ghostscript.</summary>
    public Archive.ArchiveOptions Archive { get; set; } = new();

    /// <summary>Server-side batches: per-node concurrency and work-item leases.</summary>
    public Batch.StoredBatchOptions Batches { get; set; } = new();

    /// <summary>The sandboxed worker processes that decode what applicants send.</summary>
    public Workers.WorkerOptions Workers { get; set; } = new();

    /// <summary>Receipt signing keys.</summary>
    public Receipts.ReceiptOptions Receipts { get; set; } = new();

    /// <summary>Applicant access tokens: lifetimes, signing keys, revocation checks (section DocEngine:Access).</summary>
    public Access.AccessOptions Access { get; set; } = new();
}
