using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Workers;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Previews;

/// <summary>One preview written by a worker: its page number, size, and the file holding the encoded image.</summary>
public sealed record PreviewFile(int Number, int Width, int Height, string Path);

/// <summary>
/// Previews of an image file's frames in a worker: decoded (a JPEG at reduced size where that is enough), turned
/// upright, scaled to the width, stripped of metadata and encoded, each into its own file in <paramref name="OutputDirectory"/>.
/// </summary>
public sealed record ImagePreviewJob(string Path, string? FileName, IReadOnlyList<int> Pages, PreviewRequest Request, PreviewOptions Options,
    ImagingOptions Imaging, string OutputDirectory) : WorkerJob<IReadOnlyList<PreviewFile>>
{
    public override TimeSpan TimeLimit() => Options.MaxDocumentTime;

    public override DocEngineException Timeout() => Options.TimedOut();

    public override IEnumerable<string> Inputs() => [Path];

    public override Task<IReadOnlyList<PreviewFile>> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        var images = context.Shared(Imaging, () => new ImageSource(new ImagingConfiguration(Imaging)));
        using var content = File.OpenRead(Path);
        var detection = ContentDetector.Detect(content, FileName);
        var facts = images.Inspect(content, detection);
        var written = new List<PreviewFile>();
        var number = 0;
        var reduced = Request.Dpi is null ? images.DecodeReduced(content, detection, facts, Request.Width ?? Options.DefaultWidth) : null;
        foreach (var frame in reduced is null ? images.Decode(content, detection, facts, _ => { }) : [reduced])
        {
            using (frame)
            {
                number++;
                if (!Pages.Contains(number))
                {
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                ImageNormalizer.Orient(frame.Image, frame.Orientation, []);
                var width = Request.Dpi is { } dpi ? (int)Math.Round(frame.Image.Width * dpi / (frame.Dpi is >= 50 ? frame.Dpi.Value : 96)) : Request.Width ?? Options.DefaultWidth;
                width = Math.Clamp(width, 1, Options.MaxWidth);
                if (width < frame.Image.Width)
                {
                    frame.Image.Mutate(x => x.Resize(width, 0, KnownResamplers.Bicubic));
                }
                ImageNormalizer.StripMetadata(frame.Image, null);
                var page = PreviewRenderer.Encode(number, frame.Image, Request.Format);
                var file = System.IO.Path.Combine(OutputDirectory, $"page-{number:D4}");
                File.WriteAllBytes(file, page.Bytes);
                written.Add(new PreviewFile(number, page.Width, page.Height, file));
            }
        }
        return Task.FromResult<IReadOnlyList<PreviewFile>>(written);
    }
}
