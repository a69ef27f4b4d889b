using DocEngine.Core.Pdf;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Ocr;

/// <summary>One page that has no selectable text: its number and the long side of it, in points.</summary>
public sealed record OcrPage(int Number, double LongEdgePoints);

/// <summary>A PDF's page count and the pages OCR must read.</summary>
public sealed record OcrPageList(int Total, IReadOnlyList<OcrPage> Missing);

/// <summary>Which pages of a PDF have no text (PdfPig), in a worker, after the PDF limits.</summary>
/// <param name="Path">The unencrypted PDF.</param>
/// <param name="Options">The PDF limits and the time limit.</param>
public sealed record OcrPagesJob(string Path, PdfOptions Options) : WorkerJob<OcrPageList>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => [Path];

    public override Task<OcrPageList> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        PdfLimits.Check(Path, Options);
        var (total, missing) = TesseractOcr.PagesWithoutText(Path);
        return Task.FromResult(new OcrPageList(total, missing.Select(p => new OcrPage(p.Number, p.LongEdgePoints)).ToList()));
    }
}

/// <summary>Tesseract's text page for one page of the PDF: a file of the scratch folder.</summary>
public sealed record OcrTextPage(int Page, string Path);

/// <summary>Laying Tesseract's text pages over their pages (PDFsharp), in a worker; the input passed the PDF limits in <see cref="OcrPagesJob"/>.</summary>
/// <param name="InputPath">The unencrypted PDF.</param>
/// <param name="OutputPath">Where the PDF with its text layer is written.</param>
/// <param name="Pages">The text pages, one per page recognised.</param>
/// <param name="Options">The time limit.</param>
public sealed record OcrGraftJob(string InputPath, string OutputPath, IReadOnlyList<OcrTextPage> Pages, PdfOptions Options) : WorkerJob<long>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => [InputPath];

    public override Task<long> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        TesseractOcr.Graft(InputPath, OutputPath, Pages);
        return Task.FromResult(new FileInfo(OutputPath).Length);
    }
}
