using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Previews;
using Google.Protobuf;
using CorePreviewFormat = DocEngine.Core.Previews.PreviewFormat;
using PreviewFormat = DocEngine.Contract.V1.PreviewFormat;

namespace DocEngine.Cli.Commands;

/// <summary>
/// An offline <c>docengine preview</c> of a local file, as both the CLI and its ahead-of-time compiled helper
/// (<c>src/DocEngine.Native</c>, which this file is linked into) run it: the same pages drawn, the same files written,
/// the same sentences and output, so which of the two ran cannot be told from what it prints or writes.
/// </summary>
internal sealed record LocalPreview(FileInfo File, PreviewRequest Request, DirectoryInfo Directory, bool Json)
{
    /// <summary>
    /// The preview this command line asks for, when it is one the helper runs: <c>preview INPUT --out DIR</c> of a PDF
    /// (the file starts with <c>%PDF</c>) with only <c>--pages</c>, <c>--width</c>, <c>--dpi</c>, <c>--format</c>,
    /// <c>--contact-sheet</c>, <c>--password</c> and <c>--json</c>. Anything else (an image, help, <c>--server</c>, a
    /// stored document, a usage error) is null and is left to the CLI's own parser.
    /// </summary>
    public static LocalPreview? FromArguments(IReadOnlyList<string> args)
    {
        if (HandOffArguments.Read(args, "preview", ["--json", "--contact-sheet"], ["--out", "--pages", "--width", "--dpi", "--format", "--password"], [])
                is not { } line
            || line.Value("--out") is not { } output
            || line.Value("--format") is not (null or "png" or "jpeg" or "webp")
            || !Number(line.Value("--width"), out var width) || !Number(line.Value("--dpi"), out var dpi)
            || !StartsAsPdf(line.Input))
        {
            return null;
        }
        var request = new PreviewRequest(line.Value("--pages"), width, dpi, Enum.Parse<CorePreviewFormat>(line.Value("--format") ?? "png", ignoreCase: true),
            line.Value("--password"), line.Flags.Contains("--contact-sheet"));
        return new LocalPreview(new FileInfo(line.Input), request, new DirectoryInfo(output), line.Flags.Contains("--json"));
    }

    /// <summary>True when <paramref name="text"/> is absent or a plain number (the CLI's parser has the words for anything else).</summary>
    private static bool Number(string? text, out int? number)
    {
        number = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return text is null || number is not null;
    }

    /// <summary>True when <paramref name="path"/> is a file whose first kilobyte holds <c>%PDF-</c> (where readers look for it).</summary>
    private static bool StartsAsPdf(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> head = stackalloc byte[1024];
            return head[..file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)].IndexOf("%PDF-"u8) >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The previews of <paramref name="file"/> as the service streams them (a summary, the pages, the contact sheet),
    /// drawn here by <paramref name="renderer"/>; a refusal is a <see cref="CliFailure"/> with its sentence.
    /// </summary>
    public static async IAsyncEnumerable<RenderPreviewsResponse> RenderAsync(PreviewRenderer renderer, FileInfo file, PreviewRequest request,
        PreviewOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PreviewPlan plan;
        EarlyPage? early = null;
        try
        {
            // Page 1 is drawn while the plan is read (issue 18); a refused plan stops it.
            early = renderer.StartPageOne(file.FullName, file.Name, request);
            plan = await renderer.PlanAsync(file.FullName, file.Name, request, cancellationToken);
        }
        catch (DocEngineException refusal)
        {
            if (early is not null)
            {
                await early.DisposeAsync();
            }
            throw CliFailure.From(refusal);
        }
        await using var drawing = early;
        yield return new RenderPreviewsResponse { Summary = new PreviewSummary { PageCount = plan.PageCount, Pages = { plan.Pages }, Warnings = { plan.Warnings } } };
        await foreach (var page in Guard(renderer.RenderAsync(file.FullName, file.Name, plan.Pages, request, cancellationToken, early)))
        {
            yield return new RenderPreviewsResponse { Page = page.ToProto() };
        }
        if (request.ContactSheet)
        {
            var thumbnails = new List<RenderedPage>();
            var thumbnailRequest = request with { Width = options.ContactSheetThumbnailWidth, Dpi = null, Format = CorePreviewFormat.Png };
            await foreach (var page in Guard(renderer.RenderAsync(file.FullName, file.Name, Enumerable.Range(1, plan.PageCount).ToList(), thumbnailRequest, cancellationToken)))
            {
                thumbnails.Add(page);
            }
            yield return new RenderPreviewsResponse { ContactSheet = ContactSheet.Build(thumbnails, request.Format).ToProto() };
        }
    }

    private static async IAsyncEnumerable<RenderedPage> Guard(IAsyncEnumerable<RenderedPage> pages)
    {
        await using var enumerator = pages.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (DocEngineException refusal)
            {
                throw CliFailure.From(refusal);
            }
            yield return enumerator.Current;
        }
    }

    /// <summary>
    /// Writes the previews of <paramref name="messages"/> into <paramref name="directory"/> (page-0001.png, …,
    /// contact-sheet.png), says each on <paramref name="stderr"/> with the warnings, and with <paramref name="json"/>
    /// prints a PreviewManifest of what was written on <paramref name="stdout"/>.
    /// </summary>
    public static async Task WriteAllAsync(IAsyncEnumerable<RenderPreviewsResponse> messages, DirectoryInfo directory, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        directory.Create();
        var manifest = new PreviewManifest();
        await foreach (var message in messages)
        {
            switch (message.KindCase)
            {
                case RenderPreviewsResponse.KindOneofCase.Summary:
                    manifest.Summary = message.Summary;
                    foreach (var warning in message.Summary.Warnings)
                    {
                        await stderr.WriteLineAsync("Note: " + warning);
                    }
                    break;
                case RenderPreviewsResponse.KindOneofCase.Page:
                    manifest.Pages.Add(await WriteAsync(directory, $"page-{message.Page.PageNumber:D4}", message.Page, cancellationToken));
                    await stderr.WriteLineAsync($"Wrote {manifest.Pages[^1].File} ({message.Page.Width} × {message.Page.Height}).");
                    break;
                case RenderPreviewsResponse.KindOneofCase.ContactSheet:
                    manifest.ContactSheet = await WriteAsync(directory, "contact-sheet", message.ContactSheet, cancellationToken);
                    await stderr.WriteLineAsync($"Wrote {manifest.ContactSheet.File}.");
                    break;
            }
        }
        if (json)
        {
            await stdout.WriteLineAsync(new JsonFormatter(JsonFormatter.Settings.Default).Format(manifest));
        }
    }

    private static async Task<PagePreview> WriteAsync(DirectoryInfo directory, string stem, PagePreview page, CancellationToken cancellationToken)
    {
        var extension = page.Format switch
        {
            PreviewFormat.Jpeg => ".jpg",
            PreviewFormat.Webp => ".webp",
            _ => ".png",
        };
        var path = Path.Combine(directory.FullName, stem + extension);
        await System.IO.File.WriteAllBytesAsync(path, page.Data.ToByteArray(), cancellationToken);
        var written = page.Clone();
        written.Data = ByteString.Empty;
        written.File = path;
        return written;
    }
}
