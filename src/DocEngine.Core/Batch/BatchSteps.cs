using DocEngine.Core.Archive;
using DocEngine.Core.Conversion;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using System.Text.Json;
using DocEngine.Core.Detection;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Batch;

/// <summary>
/// What one step wrote into its folder: file names, and sentences for the person reading the result; why it did not
/// apply, or why a person must look at what it made (<paramref name="Attention"/>); and the verify step's verdict.
/// </summary>
internal sealed record StepOutput(IReadOnlyList<string> Files, IReadOnlyList<string> Notes, string? SkippedBecause = null, string? Attention = null,
    string? Verdict = null);

/// <summary>
/// The three batch steps, each the same core calls the single-file commands make (process, preview, verify), writing
/// into a folder of their own. Refusals come out as <see cref="DocEngineException"/> with the core's sentence.
/// </summary>
internal sealed class BatchSteps : IDisposable
{
    private readonly BatchOptions _options;
    private readonly WorkerPool _workers;
    private readonly DocumentPipeline _pipeline;
    private readonly PreviewRenderer _previews;
    private readonly OfficeConverter? _ownConverter;

    public BatchSteps(BatchOptions options)
    {
        _options = options;
        _workers = options.Workers!;
        var mutool = new MutoolRenderer(options.Previews);
        var converters = options.Converters;
        if (converters is null)
        {
            _ownConverter = new OfficeConverter(options.Conversion);
            converters = new DocumentConverters(_ownConverter, new TesseractOcr(options.Ocr, mutool, _workers, options.Processing), new PdfAWriter(new ArchiveOptions()));
        }
        _pipeline = new DocumentPipeline(_workers, options.Processing, mutool, converters);
        _previews = new PreviewRenderer(mutool, _workers, options.Processing, options.Previews);
    }

    public Task<StepOutput> RunAsync(BatchOp op, BatchInput input, string folder, CancellationToken cancellationToken) => op switch
    {
        BatchOp.Normalize => NormalizeAsync(input, folder, cancellationToken),
        BatchOp.Ocr => OcrAsync(input, folder, cancellationToken),
        BatchOp.Preview => PreviewAsync(input, folder, cancellationToken),
        _ => VerifyAsync(input, folder, cancellationToken),
    };

    /// <summary>Stops the LibreOffice pool this batch started for itself, if any.</summary>
    public void Dispose() => _ownConverter?.Dispose();

    /// <summary>
    /// As <c>docengine process</c>: an office document is converted to PDF; a PDF, or any input when there is a size limit,
    /// is made to fit; an image is normalized.
    /// </summary>
    private async Task<StepOutput> NormalizeAsync(BatchInput input, string folder, CancellationToken cancellationToken)
    {
        var type = DetectType(input);
        var kind = type.Kind;
        if (kind != DocumentKind.Pdf && !OfficeConverter.CanConvert(kind) && _options.MaxBytes is null)
        {
            var (name, report) = await ImageAsync(input, folder, "normalized", OutputFormat.Keep, cancellationToken).ConfigureAwait(false);
            return new StepOutput([name], [.. report.Actions, .. report.Warnings]);
        }
        return await PdfStepAsync(input, type, folder, "normalized", new ProcessingRequest(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <c>docengine process --ocr</c>: a searchable PDF; office documents already carry their text and are skipped.</summary>
    private async Task<StepOutput> OcrAsync(BatchInput input, string folder, CancellationToken cancellationToken)
    {
        var type = DetectType(input);
        if (OfficeConverter.CanConvert(type.Kind))
        {
            return new StepOutput([], [], "An office document carries its text already: nothing to read from images.");
        }
        return await PdfStepAsync(input, type, folder, "searchable", new ProcessingRequest { Ocr = true }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PDF pipeline on one input (images first become one PDF), its parts moved into the step's folder as STEM.pdf.</summary>
    private async Task<StepOutput> PdfStepAsync(BatchInput input, DetectedType type, string folder, string stem, ProcessingRequest request,
        CancellationToken cancellationToken)
    {
        var work = Directory.CreateDirectory(Path.Combine(folder, ".work")).FullName;
        var source = input.Path;
        var actions = new List<string>();
        if (type.IsImage)
        {
            // Images first become one PDF (upright, clean), which is then made to fit, as docengine process does.
            var (name, report) = await ImageAsync(input, work, "images", OutputFormat.Pdf, cancellationToken).ConfigureAwait(false);
            source = Path.Combine(work, name);
            actions.AddRange(report.Actions);
            type = new DetectedType(DocumentKind.Pdf, "application/pdf", "a PDF", null);
        }
        var result = await _pipeline.RunAsync(source, type, Path.GetFileName(input.Name), request, new PdfCompressionRequest(_options.MaxBytes), work, cancellationToken)
            .ConfigureAwait(false);
        var files = new List<string>();
        for (var i = 0; i < result.Parts.Count; i++)
        {
            var name = result.Parts.Count == 1 ? $"{stem}.pdf" : $"{stem}-part-{i + 1}-of-{result.Parts.Count}.pdf";
            File.Move(result.Parts[i].Path, Path.Combine(folder, name));
            files.Add(name);
        }
        Directory.Delete(work, recursive: true);
        return new StepOutput(files, [.. actions, .. result.Report.Actions, .. result.Report.Warnings],
            Attention: result.Repaired ? "This PDF was damaged and has been repaired the way a PDF viewer repairs it: check that the normalized copy shows every page." : null);
    }

    private async Task<(string Name, ProcessingReport Report)> ImageAsync(BatchInput input, string folder, string stem, OutputFormat format,
        CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(folder, stem + ".partial");
        var source = new JobInput(input.Path, Path.GetFileName(input.Name));
        ProcessingOutcome outcome;
        try
        {
            outcome = await _workers.RunAsync(new NormalizeJob([source], new ProcessingRequest(format), temporary, _options.Processing), cancellationToken).ConfigureAwait(false);
        }
        catch (DocEngineException e) when (e.Reason == "SEVERAL_PAGES_NEED_PDF")
        {
            // A batch cannot ask which format a multi-page TIFF should take, and only a PDF holds every page.
            outcome = await _workers.RunAsync(new NormalizeJob([source], new ProcessingRequest(OutputFormat.Pdf), temporary, _options.Processing), cancellationToken).ConfigureAwait(false);
        }
        var name = stem + outcome.Extension;
        File.Move(temporary, Path.Combine(folder, name));
        return (name, outcome.Report);
    }

    /// <summary>Page 1 at the default width, as <c>docengine preview --pages 1</c> draws it.</summary>
    private async Task<StepOutput> PreviewAsync(BatchInput input, string folder, CancellationToken cancellationToken)
    {
        var request = new PreviewRequest("1");
        var name = Path.GetFileName(input.Name);
        var type = DetectType(input);
        if (OfficeConverter.CanConvert(type.Kind))
        {
            // An office document is drawn as the PDF it converts to.
            var converted = Path.Combine(Directory.CreateDirectory(Path.Combine(folder, ".work")).FullName, "converted.pdf");
            await _pipeline.Converters.Office.ConvertAsync(input.Path, type, name, converted, null, cancellationToken).ConfigureAwait(false);
            var step = await PreviewFileAsync(converted, "converted.pdf", request, folder, cancellationToken).ConfigureAwait(false);
            Directory.Delete(Path.GetDirectoryName(converted)!, recursive: true);
            return step;
        }
        return await PreviewFileAsync(input.Path, name, request, folder, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StepOutput> PreviewFileAsync(string path, string name, PreviewRequest request, string folder, CancellationToken cancellationToken)
    {
        // Planning reads the PDF's structure before the renderer's clock starts; the step's backstop bounds it.
        var plan = await _previews.PlanAsync(path, name, request, cancellationToken).ConfigureAwait(false);
        var files = new List<string>();
        await foreach (var page in _previews.RenderAsync(path, name, plan.Pages, request, cancellationToken).ConfigureAwait(false))
        {
            var file = $"page-{page.Number:D4}.png";
            await File.WriteAllBytesAsync(Path.Combine(folder, file), page.Bytes, cancellationToken).ConfigureAwait(false);
            files.Add(file);
        }
        return new StepOutput(files, plan.Warnings,
            Attention: plan.Repaired ? "This PDF is damaged: the preview shows what a repairing viewer can still draw, so check it against the original." : null);
    }

    /// <summary>The signature report of a PDF as JSON (signatures.json); anything else has no PDF signature to check.</summary>
    private async Task<StepOutput> VerifyAsync(BatchInput input, string folder, CancellationToken cancellationToken)
    {
        if (Detect(input) != DocumentKind.Pdf)
        {
            return new StepOutput([], [], "Not a PDF, so there is no PDF signature to check.");
        }
        if (input.Length > _options.Signatures.MaxBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "SIGNED_FILE_TOO_LARGE",
                $"This file is larger than {ByteSize.Describe(_options.Signatures.MaxBytes)}, more than any signed document needs: ask for the signed original.");
        }
        var report = await _workers.VerifySignaturesAsync(VerifySignaturesJob.For(input.Path, null, null, _options.TrustAnchors, _options.Signatures), cancellationToken).ConfigureAwait(false);
        await using (var file = File.Create(Path.Combine(folder, "signatures.json")))
        {
            await JsonSerializer.SerializeAsync(file, report, FileSystemBatchStore.JsonOptions, cancellationToken).ConfigureAwait(false);
        }
        var verdict = report.Verdict.ContractName();
        return new StepOutput(["signatures.json"], [$"Signatures: {verdict}. {report.Explanation}"],
            Attention: report.Verdict.NeedsAttention() ? $"Its digital signatures are not valid ({verdict}): {FirstSentence(report.Explanation)}" : null,
            Verdict: verdict);
    }

    private static string FirstSentence(string text)
    {
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 1)];
    }

    private static DocumentKind Detect(BatchInput input) => DetectType(input).Kind;

    private static DetectedType DetectType(BatchInput input)
    {
        using var content = File.OpenRead(input.Path);
        return ContentDetector.Detect(content, Path.GetFileName(input.Name));
    }
}
