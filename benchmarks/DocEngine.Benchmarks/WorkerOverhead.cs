using System.Diagnostics;
using System.Globalization;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>worker-overhead [--jobs 300] [FILE]</c>: the fixed cost of one job through a warm worker, against the same job in
/// this process: image facts of one small file (default: a PNG of the shared corpus), or the signature check of a PDF, run <c>--jobs</c> times each way
/// after a warm-up, alternating. Prints the median and mean per job on each side and their difference.
/// </summary>
internal static class WorkerOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = args is ["--jobs", var n, ..] ? int.Parse(n, CultureInfo.InvariantCulture) : 300;
        var file = args.LastOrDefault(a => File.Exists(a))
            ?? Directory.GetFiles(BenchInputs.Shared("corpus") ?? throw new InvalidOperationException("needs ../shared/corpus"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var work = Directory.CreateTempSubdirectory("docengine-bench-overhead-").FullName;
        try
        {
            await using var workers = WorkerPool.Start(new WorkerOptions { Count = 1, JobsPerWorker = int.MaxValue }, work);
            await workers.WaitUntilWarmAsync(CancellationToken.None);
            await using var here = WorkerPool.InProcess();
            var verify = file.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)
                ? VerifySignaturesJob.For(file, null, null, TrustAnchors.None, new SignatureOptions())
                : null;
            var facts = new ImageFactsJob(file, Path.GetFileName(file), new ProcessingOptions());
            var (inWorker, inProcess) = (new List<double>(), new List<double>());
            for (var i = 0; i < jobs + 20; i++)
            {
                foreach (var pool in i % 2 == 0 ? new[] { workers, here } : [here, workers])
                {
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        if (verify is null)
                        {
                            await pool.RunAsync(facts, CancellationToken.None);
                        }
                        else
                        {
                            await pool.VerifySignaturesAsync(verify, CancellationToken.None);
                        }
                    }
                    catch (DocEngineException)
                    {
                        // a refusal is work done
                    }
                    if (i >= 20)
                    {
                        (pool.IsInProcess ? inProcess : inWorker).Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(file)}, {jobs} jobs each: worker median {UploadEndToEnd.Median(inWorker):F3} ms mean {inWorker.Average():F3}; " +
                $"in-process median {UploadEndToEnd.Median(inProcess):F3} ms mean {inProcess.Average():F3}; per-job cost of the boundary {inWorker.Average() - inProcess.Average():F3} ms"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
