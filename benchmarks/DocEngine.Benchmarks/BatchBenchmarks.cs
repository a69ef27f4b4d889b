using DocEngine.Core.Previews;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using DocEngine.Core.Batch;

namespace DocEngine.Benchmarks;

/// <summary>
/// A batch over a few mixed files (a scanned PDF, a signed PDF, a phone photo, a PNG scan), every step (normalize,
/// preview, verify) through <see cref="BatchWork"/> with as many files at once as cores, as <c>docengine batch</c> and
/// the server's batches drive it: from nothing, and again with every result already stored (a resumed batch), against
/// the floor of reading and hashing the same files.
/// </summary>
[MemoryDiagnoser]
[SuiteJob(warmupCount: 1, iterationCount: 5)]
public class BatchBenchmarks
{
    private string _work = "";
    private List<BatchInput> _inputs = [];
    private BatchOptions _options = null!;
    private FileSystemBatchStore _stored = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _work = Directory.CreateTempSubdirectory("docengine-bench-batch").FullName;
        var folder = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
        string[] sources = BenchInputs.Shared("scans") is null
            ? [BenchInputs.GeneratedScanPdf(1), BenchInputs.SmallPhoto(1600), BenchInputs.SmallPhoto(2400)]
            : ["scans/ocrmypdf__epson.pdf", "corpus/pdf-signed/dss__pades-bes.pdf", "scans/naps2__skewed.jpg", "scans/ocrmypdf__typewriter.png"];
        if (BenchInputs.Shared("scans") is null)
        {
            BenchInputs.SayGenerated(nameof(BatchBenchmarks), "a scan and two photos");
        }
        foreach (var source in sources.Select(s => Path.IsPathRooted(s) ? s : BenchInputs.Shared(s)!))
        {
            File.Copy(source, Path.Combine(folder, Path.GetFileName(source)));
        }
        _inputs = Directory.GetFiles(folder).Order(StringComparer.Ordinal)
            .Select(f => new BatchInput(Path.GetFileName(f), f, new FileInfo(f).Length)).ToList();
        var cores = Environment.ProcessorCount;
        _options = new BatchOptions { Concurrency = cores, Previews = new PreviewOptions { Concurrency = cores }, Workers = Core.Workers.WorkerPool.InProcess() };
        _stored = FileSystemBatchStore.Open(Path.Combine(_work, "stored"));
        await RunAsync(_stored);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stored.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>The floor: read and SHA-256 every file, as many at once as cores.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> ReadAndHash()
    {
        var hashes = 0;
        await Parallel.ForEachAsync(_inputs, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency }, async (input, cancellationToken) =>
        {
            await using var file = File.OpenRead(input.Path);
            await SHA256.HashDataAsync(file, cancellationToken);
            Interlocked.Increment(ref hashes);
        });
        return hashes;
    }

    /// <summary>Every step on every file, into an empty result store.</summary>
    [Benchmark]
    public async Task<int> AllStepsFromNothing()
    {
        var root = Path.Combine(_work, Guid.NewGuid().ToString("n"));
        try
        {
            using var store = FileSystemBatchStore.Open(root);
            return await RunAsync(store);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The same batch again with every result stored: hashing, and finding each step's result.</summary>
    [Benchmark]
    public Task<int> AllStepsStored() => RunAsync(_stored);

    private async Task<int> RunAsync(IBatchResultStore store)
    {
        var work = new BatchWork(_options, store);
        var worked = 0;
        await Parallel.ForEachAsync(_inputs, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency }, async (input, cancellationToken) =>
        {
            var item = await work.RunAsync(input, cancellationToken);
            if (item.Line.Outcome == BatchOutcome.Failed)
            {
                throw new InvalidOperationException($"{input.Name}: {item.Line.Message}");
            }
            if (item.Worked)
            {
                Interlocked.Increment(ref worked);
            }
        });
        return worked;
    }
}
