using System.Diagnostics;
using System.Globalization;
using DocEngine.Core.Detection;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>workers-vs-inprocess [--rounds 1] [--limit N] [--summary-json FILE]</c>: process (an image normalized, a PDF compressed to 4 MB),
/// preview (page 1 at 1000 px) and verify (PDFs) over every file of ../shared/corpus and ../shared/scans, once through
/// a warm worker process and once in this process, alternating file by file so both see the same machine; refusals
/// count as work done. Prints the total per kind of work, the ratio, and the worker's start-up (cold and warmed).
/// </summary>
internal static class WorkersVersusInProcess
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        args = rest;
        var rounds = Option(args, "--rounds", 1);
        var limit = Option(args, "--limit", int.MaxValue);
        var files = new[] { BenchInputs.Shared("corpus"), BenchInputs.Shared("scans") }
            .Where(d => d is not null && Directory.Exists(d))
            .SelectMany(d => Directory.EnumerateFiles(d!, "*", SearchOption.AllDirectories))
            .Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal) && !f.EndsWith(".csv", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Take(limit).ToList();
        if (files.Count == 0)
        {
            await Console.Error.WriteLineAsync("workers-vs-inprocess needs ../shared/corpus or ../shared/scans.");
            return 1;
        }
        var work = Directory.CreateTempSubdirectory("docengine-bench-workers-");
        try
        {
            var startups = await StartupsAsync(work.FullName);
            await using var workers = WorkerPool.Start(new WorkerOptions { Count = 1 }, work.FullName);
            await workers.WaitUntilWarmAsync(CancellationToken.None);
            await using var here = WorkerPool.InProcess();
            var totals = new Dictionary<(string Work, bool Workers), double>();
            foreach (var file in files.Take(5))
            {
                await RunAllAsync(file, here, work.FullName, null); // the in-process side warms its JIT too
                await RunAllAsync(file, workers, work.FullName, null);
            }
            for (var round = 0; round < rounds; round++)
            {
                foreach (var file in files)
                {
                    var firstWorkers = (round + files.IndexOf(file)) % 2 == 0;
                    await RunAllAsync(file, firstWorkers ? workers : here, work.FullName, totals);
                    await RunAllAsync(file, firstWorkers ? here : workers, work.FullName, totals);
                }
            }
            Console.WriteLine($"{files.Count} files, {rounds} round(s), one job at a time; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end");
            Console.WriteLine("| Work | In-process | Workers | Workers ÷ in-process |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var kind in new[] { "process", "preview", "verify" })
            {
                var (a, b) = (totals.GetValueOrDefault((kind, false)), totals.GetValueOrDefault((kind, true)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {a / 1000:F2} s | {b / 1000:F2} s | {b / a:F3} |"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Worker start-up to ready, median of {startups.Cold.Count}: {Median(startups.Cold):F0} ms without warm-up, {Median(startups.Warm):F0} ms with it."));
            var what = new Dictionary<string, string>
            {
                ["process"] = "Process (images normalized, PDFs compressed to 4 MB)",
                ["preview"] = "Preview of page 1 at 1000 px",
                ["verify"] = "Verify the signatures of every PDF",
            };
            ComparisonRow.Write(summary, what.Where(w => totals.GetValueOrDefault((w.Key, false)) > 0).Select(w => ComparisonRow.Time(
                $"{w.Value}, every file of ../shared/corpus and ../shared/scans ({files.Count}), through a warm sandboxed worker: sum over the files, {rounds} round(s), alternating",
                "the same code in this process", totals.GetValueOrDefault((w.Key, true)), totals.GetValueOrDefault((w.Key, false)), 1.1, 1.0,
                string.Create(CultureInfo.InvariantCulture, $"issue 15's overhead bar; worker start-up {Median(startups.Cold):F0} ms cold, {Median(startups.Warm):F0} ms warmed"))));
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task RunAllAsync(string file, WorkerPool pool, string work, Dictionary<(string, bool), double>? totals)
    {
        var options = new ProcessingOptions();
        var previewOptions = new PreviewOptions { Concurrency = 1 };
        DocumentKind kind;
        await using (var content = File.OpenRead(file))
        {
            kind = ContentDetector.Detect(content, Path.GetFileName(file)).Kind;
        }
        var scratch = Directory.CreateDirectory(Path.Combine(work, Guid.NewGuid().ToString("N")));
        try
        {
            await TimeAsync("process", () => kind == DocumentKind.Pdf
                ? pool.RunAsync(new CompressPdfJob(file, new PdfCompressionRequest(MaxBytes: 4_000_000), scratch.FullName, options, previewOptions), CancellationToken.None)
                : pool.RunAsync(new NormalizeJob([new JobInput(file, Path.GetFileName(file))], new ProcessingRequest(), Path.Combine(scratch.FullName, "out"), options), CancellationToken.None) as Task);
            await TimeAsync("preview", async () =>
            {
                var renderer = new PreviewRenderer(new MutoolRenderer(previewOptions), pool, options, previewOptions);
                var request = new PreviewRequest("1");
                var plan = await renderer.PlanAsync(file, Path.GetFileName(file), request, CancellationToken.None);
                await foreach (var _ in renderer.RenderAsync(file, Path.GetFileName(file), plan.Pages, request, CancellationToken.None))
                {
                }
            });
            if (kind == DocumentKind.Pdf)
            {
                await TimeAsync("verify", () => pool.VerifySignaturesAsync(VerifySignaturesJob.For(file, null, null, TrustAnchors.None, new SignatureOptions()), CancellationToken.None));
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }

        async Task TimeAsync(string name, Func<Task> run)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await run();
            }
            catch (DocEngineException)
            {
                // A refusal is work done, in either mode.
            }
            if (totals is not null)
            {
                totals[(name, !pool.IsInProcess)] = totals.GetValueOrDefault((name, !pool.IsInProcess)) + clock.Elapsed.TotalMilliseconds;
            }
        }
    }

    /// <summary>How long a fresh worker takes to say it is ready, without and with the warm-up, each timed five times.</summary>
    private static async Task<(List<double> Cold, List<double> Warm)> StartupsAsync(string work)
    {
        var (cold, warm) = (new List<double>(), new List<double>());
        for (var i = 0; i < 5; i++)
        {
            foreach (var warmUp in new[] { false, true })
            {
                var clock = Stopwatch.StartNew();
                await using var pool = WorkerPool.Start(new WorkerOptions { Count = 1, WarmUp = warmUp }, work);
                await pool.WaitUntilWarmAsync(CancellationToken.None);
                (warmUp ? warm : cold).Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        return (cold, warm);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
