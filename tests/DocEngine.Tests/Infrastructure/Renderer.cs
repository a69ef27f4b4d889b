using DocEngine.Core.Mupdf;
using DocEngine.Core.Previews;

namespace DocEngine.Tests.Infrastructure;

/// <summary>The real MuPDF renderer; preview tests skip loudly without mutool, and fail under CI, whose build installs it.</summary>
public static class Renderer
{
    public static PreviewOptions Options(Action<PreviewOptions>? change = null)
    {
        var options = new PreviewOptions();
        change?.Invoke(options);
        return options;
    }

    public static PreviewRenderer Create(PreviewOptions? options = null)
    {
        options ??= Options();
        var renderer = new PreviewRenderer(new MutoolRenderer(options), Pipeline.Workers, new global::DocEngine.Core.Processing.ProcessingOptions(), options);
        if (!renderer.Mutool.IsAvailable)
        {
            const string message = "MUTOOL NOT FOUND: PDF preview tests are SKIPPED (the server build installs mupdf-tools when it may).";
            Requires.That(false, message);
        }
        return renderer;
    }

    /// <summary>Plans and renders a file's selected pages, in order.</summary>
    public static async Task<(PreviewPlan Plan, List<RenderedPage> Pages)> RenderAsync(PreviewRenderer renderer, string path, PreviewRequest request,
        CancellationToken cancellationToken = default)
    {
        var plan = await renderer.PlanAsync(path, Path.GetFileName(path), request, cancellationToken);
        var pages = new List<RenderedPage>();
        await foreach (var page in renderer.RenderAsync(path, Path.GetFileName(path), plan.Pages, request, cancellationToken))
        {
            pages.Add(page);
        }
        return (plan, pages);
    }
}
