using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace DocEngine.Core.Workers;

/// <summary>
/// The node's pool of sandboxed worker processes, through which every decoder of untrusted input runs (images, PDFs,
/// signatures). Workers are started ahead of need and kept warm; one runs one job at a time, and is replaced after
/// <see cref="WorkerOptions.JobsPerWorker"/> jobs, or at once when it breaks a limit, crashes, or is killed for a
/// timeout or a cancel. The server, the offline CLI and the batch all go through it; <see cref="InProcess"/> runs jobs
/// in this process, for unit tests only.
/// </summary>
public sealed class WorkerPool : IJobRunner, IAsyncDisposable
{
    private readonly WorkerOptions _options;
    private readonly string _workDirectory;
    private readonly SemaphoreSlim _slots;
    // Background work (receipts issued after uploads) may hold all workers but one: someone waiting on a preview or a
    // verification always finds a worker within one job, however long the backlog.
    private readonly SemaphoreSlim _backgroundSlots;
    private static readonly AsyncLocal<bool> InBackground = new();
    // The idle workers; null stands for a start that failed, so a waiting job tries one itself and reports why.
    private readonly Channel<WorkerProcess?> _idle = Channel.CreateUnbounded<WorkerProcess?>();
    private readonly ConcurrentDictionary<WorkerProcess, bool> _all = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly WorkerContext _local = new(WorkerProtocol.Describe);
    private int _started;
    private int _replaced;

    private WorkerPool(WorkerOptions options, string workDirectory)
    {
        _options = options;
        _workDirectory = workDirectory;
        _slots = new SemaphoreSlim(Math.Max(1, options.Count));
        _backgroundSlots = new SemaphoreSlim(Math.Max(1, options.Count - 1));
    }

    /// <summary>
    /// Marks the jobs run from here on in this async flow (until disposed) as background work, which may use all of a
    /// pool's workers but one (issue 18: a preview's plan waited behind the receipts of an upload backlog).
    /// </summary>
    public static IDisposable Background()
    {
        var before = InBackground.Value;
        InBackground.Value = true;
        return new BackgroundScope(before);
    }

    private sealed class BackgroundScope(bool before) : IDisposable
    {
        public void Dispose() => InBackground.Value = before;
    }

    /// <summary>
    /// A pool that starts its <see cref="WorkerOptions.Count"/> workers now, in the background (or runs in-process when
    /// <see cref="WorkerOptions.InProcess"/>). There are never more jobs at once than that (a job waits for a worker to be
    /// idle), and never more workers but for successors warming up while the workers they replace run their last job.
    /// Workers run in <paramref name="workDirectory"/>, where inputs and outputs are exchanged as files.
    /// </summary>
    public static WorkerPool Start(WorkerOptions options, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var pool = new WorkerPool(options, workDirectory);
        if (!options.InProcess)
        {
            for (var i = 0; i < Math.Max(1, options.Count); i++)
            {
                pool.StartSpare();
            }
        }
        return pool;
    }

    /// <summary>Waits until every worker has started and warmed up (for benchmarks and tests that time jobs, not starts).</summary>
    public async Task WaitUntilWarmAsync(CancellationToken cancellationToken)
    {
        while (!_options.InProcess && _all.Keys.Count(w => w.Healthy) < Math.Max(1, _options.Count))
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A pool that runs every job in this process (still through the wire format): for unit tests only.</summary>
    public static WorkerPool InProcess() => new(new WorkerOptions { InProcess = true, Count = 64 }, Path.GetTempPath());

    /// <summary>True when jobs run in this process.</summary>
    public bool IsInProcess => _options.InProcess;

    /// <summary>Workers started so far, and how many of them replaced one that broke or was killed.</summary>
    public (int Started, int Replaced) Counts => (Volatile.Read(ref _started), Volatile.Read(ref _replaced));

    /// <summary>Process ids of the workers alive now (for tests and diagnostics).</summary>
    public IReadOnlyList<int> ProcessIds => _all.Keys.Where(w => w.Healthy).Select(w => w.ProcessId).ToList();

    /// <summary>Process ids of the workers running a job now (for tests and diagnostics).</summary>
    public IReadOnlyList<int> BusyProcessIds => _all.Keys.Where(w => w.Healthy && w.Busy).Select(w => w.ProcessId).ToList();

    /// <summary>Where jobs' input and output files go: a directory both this process and the workers see.</summary>
    public string WorkDirectory => _workDirectory;

    /// <summary>Runs <paramref name="job"/> in a worker and returns its result; a refusal comes back as the same <see cref="DocEngineException"/>.</summary>
    public async Task<TResult> RunAsync<TResult>(WorkerJob<TResult> job, CancellationToken cancellationToken)
    {
        var background = InBackground.Value ? _backgroundSlots : null;
        if (background is not null)
        {
            await background.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            background?.Release();
            throw;
        }
        try
        {
            var json = _options.InProcess
                ? await RunHereAsync(job, cancellationToken).ConfigureAwait(false)
                : await RunInWorkerAsync(job, cancellationToken).ConfigureAwait(false);
            return json.ValueKind == JsonValueKind.Undefined ? default! : json.Deserialize<TResult>(WorkerProtocol.Json)!;
        }
        finally
        {
            _slots.Release();
            background?.Release();
        }
    }

    private async Task<JsonElement> RunInWorkerAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        var worker = await TakeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await worker.RunAsync(job, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (worker.Healthy && worker.Jobs < _options.JobsPerWorker && !_closing.IsCancellationRequested)
            {
                if (worker.Jobs == _options.JobsPerWorker - 1 && !worker.SuccessorStarted)
                {
                    // One job left: its successor starts and warms up now, while it still serves, so no job waits for a
                    // start when it retires (workers-vs-inprocess: each recycle cost the next job 1.2-1.5 s).
                    worker.SuccessorStarted = true;
                    Interlocked.Increment(ref _replaced);
                    StartSpare();
                }
                _idle.Writer.TryWrite(worker);
            }
            else
            {
                Retire(worker);
                if (!_closing.IsCancellationRequested && !worker.SuccessorStarted)
                {
                    Interlocked.Increment(ref _replaced);
                    StartSpare();
                }
            }
        }
    }

    /// <summary>The same job in this process, through the same JSON both ways, so unit tests see what a worker would return.</summary>
    private async Task<JsonElement> RunHereAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        var copy = (WorkerJob)JsonSerializer.SerializeToElement(job, job.GetType(), WorkerProtocol.Json).Deserialize(job.GetType(), WorkerProtocol.Json)!;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(copy.TimeLimit());
        try
        {
            var result = await Task.Run(() => copy.RunAsync(_local, deadline.Token), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            return JsonSerializer.SerializeToElement(result, copy.ResultType, WorkerProtocol.Json);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw copy.Timeout();
        }
    }

    /// <summary>An idle worker, waiting for one to finish or start; the caller holds a slot, so one is coming.</summary>
    private async Task<WorkerProcess> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var idle = await _idle.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (idle is null)
            {
                // A start failed in the background: try one here, so this caller learns why (and the pool heals when it works).
                try
                {
                    return await StartOneAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _idle.Writer.TryWrite(null);
                    throw;
                }
            }
            if (idle.Healthy)
            {
                return idle;
            }
            Retire(idle);
            if (!idle.SuccessorStarted)
            {
                StartSpare();
            }
        }
    }

    private async Task<WorkerProcess> StartOneAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);
        var worker = await WorkerProcess.StartAsync(_options, _workDirectory, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _started);
        _all[worker] = true;
        if (_closing.IsCancellationRequested)
        {
            Retire(worker);
            throw new ObjectDisposedException(nameof(WorkerPool));
        }
        return worker;
    }

    /// <summary>Starts a worker in the background and adds it to the idle ones, so the next job does not wait for a start.</summary>
    private void StartSpare() => _ = Task.Run(async () =>
    {
        try
        {
            _idle.Writer.TryWrite(await StartOneAsync(_closing.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is DocEngineException or OperationCanceledException or ObjectDisposedException)
        {
            Trace.WriteLine($"A worker did not start: {e.Message}");
            if (!_closing.IsCancellationRequested)
            {
                _idle.Writer.TryWrite(null); // the next job starts one itself and reports why it cannot
            }
        }
    });

    private void Retire(WorkerProcess worker)
    {
        _all.TryRemove(worker, out _);
        worker.Dispose();
    }

    /// <summary>Kills every worker.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_closing.IsCancellationRequested)
        {
            _closing.Cancel();
            _idle.Writer.TryComplete();
            foreach (var worker in _all.Keys)
            {
                Retire(worker);
            }
        }
        return ValueTask.CompletedTask;
    }
}
