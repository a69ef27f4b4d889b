using DocEngine.Core.Mupdf;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Pdf;

/// <summary>Compression of one PDF in a worker: the PDF limits, then <see cref="PdfCompressor.CompressAsync"/> (MuPDF runs as the worker's own child).</summary>
/// <param name="InputPath">The PDF.</param>
/// <param name="Request">How to compress it.</param>
/// <param name="OutputDirectory">Where the parts are written.</param>
/// <param name="Options">PDF and image limits.</param>
/// <param name="Mutool">The MuPDF renderer's settings.</param>
public sealed record CompressPdfJob(string InputPath, PdfCompressionRequest Request, string OutputDirectory, PdfOptions Options, MutoolOptions Mutool)
    : WorkerJob<PdfCompression>
{
    /// <summary>The compressor's own deadline answers first, with its sentence; this is the backstop.</summary>
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime + TimeSpan.FromSeconds(10);

    public override DocEngineException Timeout() => new(ErrorKind.ResourceExhausted, "PROCESSING_TIMEOUT",
        $"This PDF took longer than {Options.MaxProcessingTime.TotalSeconds:0} seconds to compress: split it into smaller files, or scan it at a lower resolution.");

    public override IEnumerable<string> Inputs() => [InputPath];

    public override Task<PdfCompression> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        PdfLimits.Check(InputPath, Options);
        var compressor = context.Shared(new { Options, Mutool }, () => new PdfCompressor(new MutoolRenderer(Mutool), Options));
        return compressor.CompressAsync(InputPath, Request, OutputDirectory, cancellationToken);
    }
}

/// <summary>The outline of a PDF (pages, encryption, dynamic XFA, signed fields) in a worker, after the PDF limits.</summary>
public sealed record PdfOutlineJob(string Path, string? Password, PdfOptions Options) : WorkerJob<PdfOutline>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => [Path];

    public override Task<PdfOutline> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        PdfLimits.Check(Path, Options);
        using var content = File.OpenRead(Path);
        return Task.FromResult(PdfInspector.Outline(content, Password));
    }
}
