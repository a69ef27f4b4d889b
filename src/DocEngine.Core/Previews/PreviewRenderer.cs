using DocEngine.Core.Mupdf;
using System.Runtime.CompilerServices;
using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Storage;
using DocEngine.Core.Workers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Previews;

/// <summary>
/// Previews of one file on disk, in page order: PDF pages from <see cref="MutoolRenderer"/> (several processes at once,
/// page 1 in a process of its own so it comes back first), image frames from the image pipeline turned upright. What
/// reads the applicant's file (the PDF's outline, the image decoders) runs in a worker of <paramref name="workers"/>.
/// </summary>
public sealed class PreviewRenderer(MutoolRenderer mutool, IJobRunner workers, PdfOptions pdf, PreviewOptions options)
{

    /// <summary>The renderer this uses for PDFs.</summary>
    public MutoolRenderer Mutool => mutool;

    /// <summary>What is in the file, which pages the request selects, and what the person should know first.</summary>
    public async Task<PreviewPlan> PlanAsync(string path, string? fileName, PreviewRequest request, CancellationToken cancellationToken)
    {
        request.Validate(options);
        await using var content = File.OpenRead(path);
        var detection = ContentDetector.Detect(content, fileName);
        Refusals.ThrowIfUnsupported(detection);
        var warnings = new List<string>();
        int pageCount;
        var repaired = false;
        if (detection.Kind == DocumentKind.Pdf)
        {
            if (!mutool.IsAvailable)
            {
                throw MutoolRenderer.Unavailable();
            }
            (pageCount, repaired) = await PdfPageCountAsync(path, request.Password, warnings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var facts = await workers.RunAsync(new ImageFactsJob(path, fileName, pdf), cancellationToken).ConfigureAwait(false);
            pageCount = detection.Kind == DocumentKind.Tiff ? facts.Frames : 1;
        }
        return new PreviewPlan(pageCount, PageSelection.Parse(request.Pages, pageCount), warnings) { Repaired = repaired };
    }

    /// <summary>
    /// Starts drawing page 1 of a PDF before its plan is read, since the person waits for page 1 and the plan (the PDF
    /// limits and the page count, in a worker) need not hold it up (issue 18). Null when the file is not a PDF, the
    /// request does not start at page 1, or mutool is missing; a width or resolution out of bounds is refused as by
    /// <see cref="PlanAsync"/>. The plan still decides: when it refuses, disposing the early page kills its process, and
    /// nothing drawn is sent.
    /// </summary>
    public EarlyPage? StartPageOne(string path, string? fileName, PreviewRequest request)
    {
        request.Validate(options);
        if (!StartsAtPageOne(request.Pages) || !mutool.IsAvailable)
        {
            return null;
        }
        using (var content = File.OpenRead(path))
        {
            if (ContentDetector.Detect(content, fileName).Kind != DocumentKind.Pdf)
            {
                return null;
            }
        }
        return new EarlyPage(async cancellationToken =>
        {
            await foreach (var (_, png) in mutool.RenderAsync(path, [1], request.Dpi is null ? request.Width ?? options.DefaultWidth : null, request.Dpi,
                options.MaxWidth, request.Password, cancellationToken).ConfigureAwait(false))
            {
                return png;
            }
            throw new InvalidOperationException("The renderer ended before page 1.");
        });
    }

    /// <summary>True when the page list's first part starts at page 1 (or there is no list: all pages).</summary>
    private static bool StartsAtPageOne(string? pages) =>
        string.IsNullOrWhiteSpace(pages) || pages.Split(',')[0].Split('-')[0].Trim() is "" or "1";

    /// <summary>
    /// Renders <paramref name="pages"/> (ascending) and yields them in that order; page 1 from <paramref name="early"/>
    /// when it was started for this same request.
    /// </summary>
    public async IAsyncEnumerable<RenderedPage> RenderAsync(string path, string? fileName, IReadOnlyList<int> pages, PreviewRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken, EarlyPage? early = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.MaxDocumentTime);
        Detection.DetectedType detection;
        await using (var content = File.OpenRead(path))
        {
            detection = ContentDetector.Detect(content, fileName);
        }
        var source = detection.Kind == DocumentKind.Pdf
            ? RenderPdfAsync(path, pages, request, early, deadline.Token)
            : RenderImageAsync(path, detection, pages, request, deadline.Token);
        await using var enumerator = source.GetAsyncEnumerator(deadline.Token);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw options.TimedOut();
            }
            yield return enumerator.Current;
        }
    }

    private async IAsyncEnumerable<RenderedPage> RenderPdfAsync(string path, IReadOnlyList<int> pages, PreviewRequest request, EarlyPage? early,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var groups = Group(pages, early is not null);
        var results = pages.ToDictionary(p => p, _ => new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        var workers = new List<Task>();
        var started = 0;
        try
        {
            foreach (var page in pages)
            {
                // Keep a bounded window of processes ahead of what the caller has taken, so a slow reader holds
                // at most (concurrency + 1) groups of pages in memory.
                var group = groups.FindIndex(g => g.Contains(page));
                while (started < groups.Count && started <= group + options.Concurrency)
                {
                    var batch = groups[started++];
                    // Called, not queued: each group takes its renderer slot (or its place in the slot queue) before the
                    // next group starts, so page 1's process never waits behind later pages.
                    workers.Add(started == 1 && early is not null && batch is [1]
                        ? TakeEarlyAsync(early, results[1], stop.Token)
                        : RenderGroupAsync(path, batch, request, results, behind: started > 1, stop.Token));
                }
                var png = await results[page].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested(); // a page already drawn is not sent after a cancel
                yield return Encode(page, png, request.Format);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task TakeEarlyAsync(EarlyPage early, TaskCompletionSource<byte[]> result, CancellationToken cancellationToken)
    {
        try
        {
            result.TrySetResult(await early.Png.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            result.TrySetException(e);
        }
    }

    /// <summary>Draws one group of pages; the groups after page 1's are <paramref name="behind"/> it (a lower CPU priority).</summary>
    private async Task RenderGroupAsync(string path, IReadOnlyList<int> group, PreviewRequest request,
        Dictionary<int, TaskCompletionSource<byte[]>> results, bool behind, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (page, png) in mutool.RenderAsync(path, group, request.Dpi is null ? request.Width ?? options.DefaultWidth : null,
                request.Dpi, options.MaxWidth, request.Password, cancellationToken, behind).ConfigureAwait(false))
            {
                results[page].TrySetResult(png);
            }
        }
        catch (Exception e)
        {
            foreach (var page in group)
            {
                results[page].TrySetException(e);
            }
        }
    }

    /// <summary>
    /// Page 1 alone (it must come back first), then the rest split over the renderer slots free now (page 1's own
    /// counted free when it was started early), in runs of up to <see cref="PreviewOptions.PagesPerProcess"/>. On a busy
    /// node the rest is one process: every process opens the PDF again, and there is no idle core to gain.
    /// </summary>
    private List<IReadOnlyList<int>> Group(IReadOnlyList<int> pages, bool early)
    {
        var groups = new List<IReadOnlyList<int>> { pages.Take(1).ToList() };
        var rest = pages.Skip(1).ToList();
        var (busy, capacity) = mutool.Slots;
        var free = Math.Clamp(capacity - busy + (early ? 1 : 0), 1, Math.Max(1, options.Concurrency));
        var size = Math.Clamp((int)Math.Ceiling(rest.Count / (double)free), 1, Math.Max(1, options.PagesPerProcess));
        groups.AddRange(rest.Chunk(size).Select(chunk => (IReadOnlyList<int>)chunk));
        return groups.Where(g => g.Count > 0).ToList();
    }

    private async IAsyncEnumerable<RenderedPage> RenderImageAsync(string path, Detection.DetectedType detection, IReadOnlyList<int> pages,
        PreviewRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateDirectory(Path.Combine(workers.WorkDirectory, Ids.New() + ".frames"));
        try
        {
            var files = await workers.RunAsync(new ImagePreviewJob(path, null, pages, request, options, pdf, scratch.FullName), cancellationToken).ConfigureAwait(false);
            foreach (var file in files)
            {
                yield return new RenderedPage(file.Number, file.Width, file.Height, request.Format,
                    await File.ReadAllBytesAsync(file.Path, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The page count, through the structural reader; MuPDF's own count for files only it can open.</summary>
    private async Task<(int Count, bool Repaired)> PdfPageCountAsync(string path, string? password, List<string> warnings, CancellationToken cancellationToken)
    {
        try
        {
            var facts = await workers.RunAsync(new PdfOutlineJob(path, password, pdf), cancellationToken).ConfigureAwait(false);
            if (facts.PasswordRequired)
            {
                throw PdfRefusals.PasswordRequired();
            }
            if (facts.IsDynamicXfa)
            {
                warnings.Add("This is a dynamic XFA form: only Adobe Reader and Acrobat draw its pages. Other viewers, and these previews, show a placeholder page (\"Please wait...\"), which is what a reviewer without XFA support will see.");
            }
            return (facts.Pages, false);
        }
        catch (DocEngineException damaged) when (damaged.Reason == "DAMAGED_FILE"
            && !damaged.Details.GetValueOrDefault("parser_message", "").Contains("ncrypt", StringComparison.Ordinal))
        {
            // (Not when the encryption itself is damaged: what a repairing viewer draws then is not the content.)
            // MuPDF repairs more than PdfPig reads: when it can count the pages, show what it can draw.
            if (await mutool.CountPagesAsync(path, password, cancellationToken).ConfigureAwait(false) is not { } count)
            {
                throw;
            }
            warnings.Add("This PDF is damaged; the previews show what a repairing viewer can still draw.");
            return (count, true);
        }
    }

    private static RenderedPage Encode(int page, byte[] png, PreviewFormat format)
    {
        if (format == PreviewFormat.Png)
        {
            // mutool's own PNG: its size is in the IHDR chunk every PNG starts with (bytes 16–23), so no decoder is needed.
            if (png.Length >= 24 && png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            {
                return new RenderedPage(page, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)),
                    System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)), format, png);
            }
            var info = Image.Identify(png);
            return new RenderedPage(page, info.Width, info.Height, format, png);
        }
        using var image = Image.Load<Rgba32>(png);
        return Encode(page, image, format);
    }

    /// <summary>Encodes a preview image in the requested format.</summary>
    internal static RenderedPage Encode(int page, Image<Rgba32> image, PreviewFormat format)
    {
        using var output = new MemoryStream();
        switch (format)
        {
            case PreviewFormat.Jpeg:
                image.Mutate(x => x.BackgroundColor(Color.White));
                image.SaveAsJpeg(output, new JpegEncoder { Quality = 85 });
                break;
            case PreviewFormat.WebP:
                image.SaveAsWebp(output, new WebpEncoder { Quality = 80, FileFormat = WebpFileFormatType.Lossy });
                break;
            default:
                image.SaveAsPng(output, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
                break;
        }
        return new RenderedPage(page, image.Width, image.Height, format, output.ToArray());
    }
}

/// <summary>Page 1 of a PDF being drawn ahead of its plan (<see cref="PreviewRenderer.StartPageOne"/>); disposing stops it.</summary>
public sealed class EarlyPage : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    internal EarlyPage(Func<CancellationToken, Task<byte[]>> draw) => Png = Task.Run(() => draw(_stop.Token));

    /// <summary>Page 1 as PNG bytes, or the renderer's refusal.</summary>
    internal Task<byte[]> Png { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await ((Task)Png).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
