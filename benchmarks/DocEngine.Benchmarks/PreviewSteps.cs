using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Workers;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>preview-steps [--runs 5]</c>: where page 1's preview time goes, step by step, for every PDF in ../shared/scans, in
/// this process with a warm worker (no gRPC, no store): checking the blob's hash (SHA-256 of the file), the plan (type
/// check and page count in a worker: the PDF limits pass and the outline), drawing page 1 through the renderer
/// (sandboxed mutool, PNG size read from its header), and `mutool draw` of page 1 run directly. Medians of the runs.
/// </summary>
internal static class PreviewSteps
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args is ["--runs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 5;
        var scans = Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", "scans"));
        var pdfs = Directory.GetFiles(scans, "*.pdf").Order(StringComparer.Ordinal).ToList();
        var work = Directory.CreateTempSubdirectory("docengine-bench-steps-").FullName;
        try
        {
            await using var workers = WorkerPool.Start(new WorkerOptions { Count = 1 }, work);
            await workers.WaitUntilWarmAsync(CancellationToken.None);
            var previewOptions = new PreviewOptions();
            var renderer = new PreviewRenderer(new MutoolRenderer(previewOptions), workers, new ProcessingOptions(), previewOptions);
            var request = new PreviewRequest("1", 1000);
            var steps = new Dictionary<string, List<double>> { ["hash"] = [], ["plan"] = [], ["draw"] = [], ["mutool"] = [] };
            Console.WriteLine("| file | hash | plan (worker) | draw page 1 (renderer) | mutool draw page 1 | steps ÷ mutool |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var pdf in pdfs)
            {
                var mine = new Dictionary<string, List<double>> { ["hash"] = [], ["plan"] = [], ["draw"] = [], ["mutool"] = [] };
                for (var run = 0; run <= runs; run++)
                {
                    var clock = Stopwatch.StartNew();
                    await using (var file = File.OpenRead(pdf))
                    {
                        await SHA256.HashDataAsync(file);
                    }
                    var hash = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    var plan = await renderer.PlanAsync(pdf, Path.GetFileName(pdf), request, CancellationToken.None);
                    var planned = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    await foreach (var _ in renderer.RenderAsync(pdf, Path.GetFileName(pdf), plan.Pages, request, CancellationToken.None))
                    {
                    }
                    var drawn = clock.Elapsed.TotalMilliseconds;
                    var direct = await ProcessVersusVips.TimeAsync("mutool", "draw", "-q", "-w", "1000", "-F", "png", "-o", Path.Combine(work, "m.png"), pdf, "1");
                    if (run > 0)
                    {
                        mine["hash"].Add(hash);
                        mine["plan"].Add(planned);
                        mine["draw"].Add(drawn);
                        mine["mutool"].Add(direct);
                    }
                }
                var m = mine.ToDictionary(p => p.Key, p => UploadEndToEnd.Median(p.Value));
                foreach (var (key, value) in m)
                {
                    steps[key].Add(value);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(pdf)} | {m["hash"]:F1} | {m["plan"]:F1} | {m["draw"]:F1} | {m["mutool"]:F1} | {(m["hash"] + m["plan"] + m["draw"]) / m["mutool"]:F2}x |"));
            }
            var med = steps.ToDictionary(p => p.Key, p => UploadEndToEnd.Median(p.Value));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| **median over {pdfs.Count} PDFs** | {med["hash"]:F1} | {med["plan"]:F1} | {med["draw"]:F1} | {med["mutool"]:F1} | {(med["hash"] + med["plan"] + med["draw"]) / med["mutool"]:F2}x |"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
