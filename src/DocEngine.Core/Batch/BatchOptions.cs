using DocEngine.Core.Workers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;

namespace DocEngine.Core.Batch;

/// <summary>The steps a batch can run on every input, in the order they run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BatchOp>))]
public enum BatchOp
{
    /// <summary>What <c>docengine process</c> does offline: images normalized (a PDF made to fit with a size limit), PDFs compressed.</summary>
    [JsonStringEnumMemberName("normalize")] Normalize,
    /// <summary>A searchable PDF (searchable.pdf): a text layer added to pages without text, the page images left as they are; images become a PDF first.</summary>
    [JsonStringEnumMemberName("ocr")] Ocr,
    /// <summary>A PNG preview of page 1.</summary>
    [JsonStringEnumMemberName("preview")] Preview,
    /// <summary>The signature report of a PDF, as JSON; other files are skipped.</summary>
    [JsonStringEnumMemberName("verify")] Verify,
}

/// <summary>
/// How a batch runs: which steps, the size limit for normalized PDFs, how many inputs at once, and the core limits each
/// step runs under (the per-document time limits included). Results are keyed by the content hash plus <see cref="KeyOf"/>.
/// </summary>
public sealed class BatchOptions
{
    /// <summary>Steps to run; default all three.</summary>
    public IReadOnlyList<BatchOp> Ops { get; init; } = [BatchOp.Normalize, BatchOp.Preview, BatchOp.Verify];

    /// <summary>Normalize: make a PDF of each image and fit every PDF under this size; null (default) keeps images as images.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>Inputs worked on at once; default the number of cores.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Image and PDF limits, including the per-document time limit (default 60 s).</summary>
    public ProcessingOptions Processing { get; init; } = new();

    /// <summary>Renderer limits; its <see cref="PreviewOptions.Concurrency"/> caps mutool processes across all inputs (default the number of cores).</summary>
    public PreviewOptions Previews { get; init; } = new();

    /// <summary>Signature limits, including the per-document time limit (default 3 s).</summary>
    public SignatureOptions Signatures { get; init; } = new();

    /// <summary>Signers to trust; none by default.</summary>
    public TrustAnchors TrustAnchors { get; init; } = TrustAnchors.None;

    /// <summary>LibreOffice's pool, for office documents (used when <see cref="Converters"/> is not given).</summary>
    public Conversion.ConversionOptions Conversion { get; init; } = new();

    /// <summary>Tesseract's settings (used when <see cref="Converters"/> is not given).</summary>
    public Ocr.OcrOptions Ocr { get; init; } = new();

    /// <summary>
    /// The node's converters, shared with everything else it runs (the server passes its own); null makes the batch start
    /// its own, stopped when the batch's work is disposed.
    /// </summary>
    public Processing.DocumentConverters? Converters { get; init; }

    /// <summary>The sandboxed workers every step's decoding runs in (the node's pool, or the CLI's own); required.</summary>
    public WorkerPool? Workers { get; init; }

    /// <summary>Parses "normalize,preview,verify" (any subset, any order); the steps run in their fixed order.</summary>
    public static bool TryParseOps(string text, out IReadOnlyList<BatchOp> ops)
    {
        var parsed = new SortedSet<BatchOp>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<BatchOp>(name, ignoreCase: true, out var op) || !Enum.IsDefined(op) || int.TryParse(name, out _))
            {
                ops = [];
                return false;
            }
            parsed.Add(op);
        }
        ops = [.. parsed];
        return parsed.Count > 0;
    }

    /// <summary>Refuses options no batch can run with, naming the option at fault.</summary>
    public void Validate()
    {
        if (Ops.Count == 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "NO_BATCH_OPS", "Name at least one step to run: normalize, ocr, preview or verify.") { Field = "ops" };
        }
        if (Concurrency is < 1 or > 256)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_CONCURRENCY", "The concurrency must be between 1 and 256, for example the number of cores.") { Field = "concurrency" };
        }
        new PdfCompressionRequest(MaxBytes).Validate();
    }

    /// <summary>
    /// "op-" plus 16 hex digits of the SHA-256 of everything that decides the step's output, its size limits included: a
    /// result made under other settings is never taken for this one, and changing one step's settings leaves the other
    /// steps' results reusable. Time limits are left out (a slower machine must not invalidate every result), so a step
    /// refused for taking too long stays refused until its result folder is deleted. Bump the "/v1" when a step's output
    /// changes for the same settings.
    /// </summary>
    public string KeyOf(BatchOp op)
    {
        var p = Processing;
        var text = op switch
        {
            BatchOp.Normalize => new ProcessingRequest().CanonicalKey(p.JpegQuality) + string.Create(CultureInfo.InvariantCulture,
                $";batch-normalize/v1;max={MaxBytes};pdfdpi={p.PdfImageDpi};pdfq={p.PdfJpegQuality};mindpi={p.MinPdfImageDpi};minq={p.MinPdfJpegQuality};pixels={p.MaxPixels};frames={p.MaxFrames}"),
            BatchOp.Ocr => string.Create(CultureInfo.InvariantCulture, $"batch-ocr/v1;langs={Converters?.Ocr.Languages ?? Ocr.Languages};edge={Ocr.LongEdgePixels};pixels={p.MaxPixels};frames={p.MaxFrames}"),
            BatchOp.Preview => "batch-preview/v1;" + new PreviewRequest("1").PageKey(1, Previews)
                + string.Create(CultureInfo.InvariantCulture, $";pixels={p.MaxPixels};frames={p.MaxFrames}"),
            BatchOp.Verify => string.Create(CultureInfo.InvariantCulture, $"batch-verify/v1;max={Signatures.MaxBytes};anchors=")
                + string.Join(",", TrustAnchors.Certificates.Select(c => c.Thumbprint).Order(StringComparer.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        return $"{op.ToString().ToLowerInvariant()}-{hash}";
    }

    /// <summary>The key of every step this batch runs.</summary>
    public IReadOnlyDictionary<BatchOp, string> Keys() => Ops.ToDictionary(op => op, KeyOf);

    /// <summary>
    /// How long one step may run before the batch moves on: the core's own limit plus a margin, so its more precise
    /// sentence wins when it stops itself, and this catches the parts that run before the core's clock starts.
    /// </summary>
    internal TimeSpan BackstopOf(BatchOp op) => op switch
    {
        BatchOp.Normalize => Processing.MaxProcessingTime * 2 + Conversion.MaxDocumentTime + TimeSpan.FromSeconds(5), // converted or made a PDF, then fitted
        BatchOp.Ocr => Processing.MaxProcessingTime + Ocr.MaxPageTime * 10,
        BatchOp.Preview => Processing.MaxProcessingTime + Previews.MaxDocumentTime + Conversion.MaxDocumentTime,
        _ => Signatures.TimeLimit + TimeSpan.FromSeconds(10), // plus reading the file
    };
}
