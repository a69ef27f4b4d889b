using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Processing;

/// <summary>Inspection of one file in a worker: <see cref="DocumentInspector.Inspect"/>, after the PDF limits when it is a PDF.</summary>
/// <param name="Path">The file (a scratch copy in the pool's work directory, or the user's own file offline).</param>
/// <param name="FileName">The name it came with (a label), for the type check.</param>
/// <param name="Password">The PDF's password, when it has one.</param>
/// <param name="Options">The limits to inspect under.</param>
public sealed record InspectJob(string Path, string? FileName, string? Password, ProcessingOptions Options) : WorkerJob<DocumentInfo>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => [Path];

    public override Task<DocumentInfo> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        PdfLimits.CheckIfPdf(Path, Options);
        var inspector = context.Shared(Options, () => new DocumentInspector(new ImagingConfiguration(Options), Options));
        using var content = File.OpenRead(Path);
        return Task.FromResult(inspector.Inspect(content, FileName, Password, cancellationToken));
    }
}

/// <summary>One input of a <see cref="NormalizeJob"/>: a file and the name it came with.</summary>
public sealed record JobInput(string Path, string? FileName);

/// <summary>Normalization of images into one image or one PDF in a worker: <see cref="DocumentProcessor.Process"/>, writing <paramref name="OutputPath"/>.</summary>
public sealed record NormalizeJob(IReadOnlyList<JobInput> Sources, ProcessingRequest Request, string OutputPath, ProcessingOptions Options)
    : WorkerJob<ProcessingOutcome>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => Sources.Select(s => s.Path);

    public override Task<ProcessingOutcome> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        var processor = context.Shared(Options, () => new DocumentProcessor(new ImagingConfiguration(Options)));
        var inputs = new List<ProcessingInput>();
        try
        {
            foreach (var source in Sources)
            {
                inputs.Add(new ProcessingInput(File.OpenRead(source.Path), source.FileName));
            }
            using var output = new FileStream(OutputPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            var outcome = processor.Process(inputs, Request, output, cancellationToken);
            output.Flush(flushToDisk: true);
            return Task.FromResult(outcome);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Content.Dispose();
            }
        }
    }
}
