using System.Collections.Concurrent;
using DocEngine.Core.Workers;

namespace DocEngine.Tests.Workers;

/// <summary>
/// Background work (receipts issued after uploads) may hold all of a pool's workers but one (issue 18): a preview's plan
/// waited behind a backlog of receipts. The jobs here wait on gates the test opens, through the pool's own JSON.
/// </summary>
public sealed class BackgroundWorkTests
{
    [Fact]
    public async Task Background_jobs_leave_one_worker_free_so_a_waiting_caller_is_served_at_once()
    {
        await using var pool = WorkerPool.Start(new WorkerOptions { InProcess = true, Count = 2 }, Path.GetTempPath());
        var gate = Guid.NewGuid().ToString("n");
        GatedJob.Gates[gate] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        List<Task<string>> backlog;
        using (WorkerPool.Background())
        {
            backlog = [.. Enumerable.Range(0, 3).Select(i => pool.RunAsync(new GatedJob(gate, $"receipt {i}"), CancellationToken.None))];
        }

        var served = await pool.RunAsync(new GatedJob(null, "preview plan"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        for (var attempt = 0; attempt < 300 && GatedJob.Running(gate) == 0; attempt++)
        {
            await Task.Delay(10);
        }

        Assert.Equal("preview plan", served);
        Assert.Equal(1, GatedJob.Running(gate)); // one background job holds a worker; the other two wait for it
        GatedJob.Gates[gate].SetResult();
        Assert.Equal(["receipt 0", "receipt 1", "receipt 2"], (await Task.WhenAll(backlog)).Order());
    }

    [Fact]
    public async Task Without_background_work_every_worker_serves_callers()
    {
        await using var pool = WorkerPool.Start(new WorkerOptions { InProcess = true, Count = 2 }, Path.GetTempPath());
        var gate = Guid.NewGuid().ToString("n");
        GatedJob.Gates[gate] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var both = Enumerable.Range(0, 2).Select(i => pool.RunAsync(new GatedJob(gate, $"call {i}"), CancellationToken.None)).ToList();
        for (var attempt = 0; attempt < 300 && GatedJob.Running(gate) < 2; attempt++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, GatedJob.Running(gate));
        GatedJob.Gates[gate].SetResult();
        await Task.WhenAll(both);
    }
}

/// <summary>A job that returns its name once its gate (none: at once) is opened.</summary>
public sealed record GatedJob(string? Gate, string Name) : WorkerJob<string>
{
    internal static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    private static readonly ConcurrentDictionary<string, int> Runs = new();

    internal static int Running(string gate) => Runs.GetValueOrDefault(gate);

    public override TimeSpan TimeLimit() => TimeSpan.FromMinutes(1);

    public override IEnumerable<string> Inputs() => [];

    public override async Task<string> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        if (Gate is not null)
        {
            Runs.AddOrUpdate(Gate, 1, (_, n) => n + 1);
            await Gates[Gate].Task.WaitAsync(cancellationToken);
        }
        return Name;
    }
}
