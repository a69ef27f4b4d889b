using System.Diagnostics;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;
using DocEngine.Core.Workers;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Workers;

/// <summary>
/// The worker pool with real worker processes: a decoder made to hang, to allocate without end, to overflow its stack
/// or to crash, and a worker killed with SIGKILL mid-job each give the caller a status with a sentence within the
/// limit, and the pool replaces the worker and goes on.
/// </summary>
public sealed class WorkerPoolTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);
    private readonly TempDirectory _work = new();
    private WorkerPool _pool = null!;

    public async Task InitializeAsync()
    {
        _pool = WorkerPool.Start(new WorkerOptions { Count = 2, TestFaults = true, HeapLimitMegabytes = 384 }, _work.Path);
        await _pool.WaitUntilWarmAsync(CancellationToken.None); // the clocks below time jobs, not starts
    }

    public async Task DisposeAsync()
    {
        await _pool.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task A_decoder_that_hangs_is_killed_at_the_time_limit_and_its_worker_replaced()
    {
        var clock = Stopwatch.StartNew();
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => _pool.RunAsync(FactsOf(HostileFiles.FaultPng("hang")), CancellationToken.None));

        Assert.Equal("PROCESSING_TIMEOUT", refusal.Reason);
        Assert.Equal(ErrorKind.ResourceExhausted, refusal.Kind);
        Assert.InRange(clock.Elapsed, Limit, Limit + TimeSpan.FromSeconds(10));
        await AssertPoolRecoversAsync();
    }

    [Fact]
    public async Task A_decoder_that_allocates_without_end_is_resource_exhausted_and_the_worker_replaced()
    {
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => _pool.RunAsync(FactsOf(HostileFiles.FaultPng("allocate"), TimeSpan.FromSeconds(60)), CancellationToken.None));

        Assert.Equal(ErrorKind.ResourceExhausted, refusal.Kind);
        Assert.Equal("DOCUMENT_TOO_LARGE_IN_MEMORY", refusal.Reason);
        Assert.Contains("memory", refusal.Message, StringComparison.Ordinal);
        await AssertPoolRecoversAsync();
    }

    [Theory]
    [InlineData("overflow")]
    [InlineData("crash")]
    public async Task A_stack_overflow_or_a_native_crash_is_a_refusal_with_a_sentence_and_the_worker_replaced(string fault)
    {
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => _pool.RunAsync(FactsOf(HostileFiles.FaultPng(fault), TimeSpan.FromSeconds(60)), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidArgument, refusal.Kind);
        Assert.Equal("UNREADABLE_STRUCTURE", refusal.Reason);
        await AssertPoolRecoversAsync();
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_mid_job_gives_the_job_a_clear_status_and_the_pool_recovers()
    {
        var before = _pool.ProcessIds;
        var job = _pool.RunAsync(FactsOf(HostileFiles.FaultPng("hang"), TimeSpan.FromSeconds(60)), CancellationToken.None);
        var busy = await BusyWorkerAsync(before);

        Process.GetProcessById(busy).Kill();
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => job);

        Assert.Equal(ErrorKind.Aborted, refusal.Kind);
        Assert.Equal("WORKER_LOST", refusal.Reason);
        await AssertPoolRecoversAsync();
    }

    [Fact]
    public async Task A_cancelled_job_kills_its_worker_at_once()
    {
        using var cancel = new CancellationTokenSource();
        var job = _pool.RunAsync(FactsOf(HostileFiles.FaultPng("hang"), TimeSpan.FromSeconds(60)), cancel.Token);
        var busy = await BusyWorkerAsync(_pool.ProcessIds);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);

        Assert.True(Exited(busy), "the cancelled job's worker still runs");
        await AssertPoolRecoversAsync();
    }

    [SkippableFact]
    public async Task Workers_run_with_kernel_limits_an_empty_environment_and_no_network()
    {
        await _pool.RunAsync(FactsOf(Png()), CancellationToken.None);
        var worker = _pool.ProcessIds[0];

        var limits = await File.ReadAllTextAsync($"/proc/{worker}/limits");
        Assert.Matches(@"Max address space\s+4294967296\s+4294967296", limits);
        Assert.Matches(@"Max open files\s+256\s+256", limits);
        var environment = (await File.ReadAllTextAsync($"/proc/{worker}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(environment, v => v.StartsWith("HOME=", StringComparison.Ordinal) || v.StartsWith("DOCENGINE_API_KEY", StringComparison.Ordinal));
        Assert.Contains("DOTNET_GCHeapHardLimit=18000000", environment);
        Requires.That(global::DocEngine.Core.Sandbox.SandboxedProcess.CanIsolateNetwork, "This machine cannot give child processes a network namespace (unshare).");
        Assert.NotEqual(
            new FileInfo("/proc/self/ns/net").LinkTarget,
            new FileInfo($"/proc/{worker}/ns/net").LinkTarget);
    }

    [Fact]
    public async Task A_worker_is_replaced_after_its_jobs_and_results_read_as_in_process()
    {
        await using var pool = WorkerPool.Start(new WorkerOptions { Count = 1, JobsPerWorker = 2, WarmUp = false }, _work.Path);
        var job = FactsOf(Png(), TimeSpan.FromSeconds(60)); // cold workers (no warm-up): this test is about recycling, not time
        var results = new List<ImageFacts>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await pool.RunAsync(job, CancellationToken.None));
        }

        Assert.True(pool.Counts.Started >= 2, $"started {pool.Counts.Started}");
        await using var here = WorkerPool.InProcess();
        var expected = await here.RunAsync(job, CancellationToken.None);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    private async Task AssertPoolRecoversAsync()
    {
        var facts = await _pool.RunAsync(FactsOf(Png(), TimeSpan.FromSeconds(60)), CancellationToken.None); // recovery, not speed
        Assert.Equal(8, facts.Width);
        Assert.True(_pool.Counts.Replaced >= 1, "the broken worker was not replaced");
    }

    /// <summary>The worker that took the last job: the one not among <paramref name="idle"/>, once it is busy.</summary>
    private async Task<int> BusyWorkerAsync(IReadOnlyList<int> idle)
    {
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(200);
            var busy = _pool.ProcessIds.Where(pid => CpuTicks(pid) > 50).ToList();
            if (busy.Count > 0)
            {
                return busy[0];
            }
        }
        throw new TimeoutException($"No worker became busy (idle were {string.Join(",", idle)}).");
    }

    private static long CpuTicks(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(fields[11]) + long.Parse(fields[12]) - StartTicks.GetOrAdd(pid, long.Parse(fields[11]) + long.Parse(fields[12]));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> StartTicks = new();

    private static bool Exited(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].TrimStart().StartsWith('Z'))
            {
                return true;
            }
            Thread.Sleep(100);
        }
        return false;
    }

    private ImageFactsJob FactsOf(byte[] image, TimeSpan? limit = null)
    {
        var path = Path.Combine(_work.Path, Guid.NewGuid().ToString("N") + ".png");
        File.WriteAllBytes(path, image);
        return new ImageFactsJob(path, "image.png", new ProcessingOptions { MaxProcessingTime = limit ?? Limit });
    }

    private static byte[] Png() => HostileFiles.FaultPng("none");
}
