using DocEngine.Core.Detection;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Imaging;

/// <summary>An image's header facts (size, frames, orientation) in a worker, checked against the limits and for damage.</summary>
public sealed record ImageFactsJob(string Path, string? FileName, ImagingOptions Options) : WorkerJob<ImageFacts>
{
    public override TimeSpan TimeLimit() => Options.MaxProcessingTime;

    public override IEnumerable<string> Inputs() => [Path];

    public override Task<ImageFacts> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        var images = context.Shared(Options, () => new ImageSource(new ImagingConfiguration(Options)));
        using var content = File.OpenRead(Path);
        return Task.FromResult(images.Inspect(content, ContentDetector.Detect(content, FileName)));
    }
}
