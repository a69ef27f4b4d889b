using System.Diagnostics;
using DocEngine.Core.Previews;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Previews;

/// <summary>
/// Page 1 first: an assertion on when pages arrive, so it runs alone (under the load of the parallel tests, page 1's
/// own process was once slowed past the bound: 0.96 s against 2.12 s for the last page).
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class PreviewOrderTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)] // page 1's process must not queue behind the later pages' processes for a renderer slot
    public async Task Page_1_arrives_before_the_later_pages_are_drawn_and_pages_come_in_order(int concurrency)
    {
        var renderer = Renderer.Create(Renderer.Options(o => o.Concurrency = concurrency));
        var path = CorpusManifest.File("corpus", "pdf-general/qpdf__hybrid-xref.pdf");
        var plan = await renderer.PlanAsync(path, null, new PreviewRequest(Width: 1600), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var arrivals = new List<(int Page, TimeSpan At)>();
        await foreach (var page in renderer.RenderAsync(path, null, plan.Pages, new PreviewRequest(Width: 1600), CancellationToken.None))
        {
            arrivals.Add((page.Number, clock.Elapsed));
        }

        Assert.Equal(plan.Pages, arrivals.Select(a => a.Page));
        Assert.True(arrivals[0].At < arrivals[^1].At * 0.3, $"Page 1 came at {arrivals[0].At}, the last at {arrivals[^1].At}.");
    }
}
