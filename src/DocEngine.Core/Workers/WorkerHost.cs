using System.Text.Json;

namespace DocEngine.Core.Workers;

/// <summary>
/// The loop inside a worker process: read a job from stdin, run it, write the answer to stdout, until stdin closes
/// (the node went away). Before each job the kernel's CPU-time limit is moved to what the job may use, so a runaway
/// decoder is stopped by SIGXCPU even if the node is gone. Nothing but frames is written to stdout: anything a library
/// prints goes to stderr.
/// </summary>
public static class WorkerHost
{
    /// <summary>Environment variable that turns the test faults on (see <see cref="WorkerOptions.TestFaults"/>).</summary>
    public const string TestFaultsVariable = "DOCENGINE_WORKER_TEST_FAULTS";

    /// <summary>Environment variable that asks a worker to warm up before it says it is ready (see <see cref="WorkerOptions.WarmUp"/>).</summary>
    public const string WarmUpVariable = "DOCENGINE_WORKER_WARM_UP";

    /// <summary>
    /// Serves jobs until stdin closes; returns the process exit code. <paramref name="warmUp"/> (when asked for) runs
    /// first, before the worker says it is ready, so the first document's clock does not pay for compiling the decoders.
    /// </summary>
    public static async Task<int> RunAsync(Action<WorkerContext>? warmUp = null)
    {
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        var faults = Environment.GetEnvironmentVariable(TestFaultsVariable) == "1";
        var context = new WorkerContext(WorkerProtocol.Describe);
        if (warmUp is not null && Environment.GetEnvironmentVariable(WarmUpVariable) == "1")
        {
            try
            {
                warmUp(context);
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"Warm-up failed ({e.GetType().Name}: {e.Message}); serving cold.").ConfigureAwait(false);
            }
        }
        // Blocking reads and writes on this one thread: a worker does one job at a time, and a wake-up through the
        // thread pool per frame cost more than the frame (workers-vs-inprocess).
        WorkerProtocol.Write(output, new WorkerReply(0, Ready: true));
        while (WorkerProtocol.Read<WorkerRequest>(input) is { } request)
        {
            var (reply, fatal) = await RunOneAsync(request, context, faults).ConfigureAwait(false);
            WorkerProtocol.Write(output, reply);
            if (fatal)
            {
                return 3; // memory may be in any state after an OutOfMemoryException: the node starts a fresh worker
            }
        }
        return 0;
    }

    private static async Task<(WorkerReply Reply, bool Fatal)> RunOneAsync(WorkerRequest request, WorkerContext context, bool faults)
    {
        try
        {
            var job = (WorkerJob)request.Job.Deserialize(WorkerProtocol.JobType(request.Type), WorkerProtocol.Json)!;
            ProcessLimits.AllowCpuSeconds(job.TimeLimit().TotalSeconds * 2 + 5);
            if (faults)
            {
                TestFaults.Apply(job.Inputs());
            }
            var result = await job.RunAsync(context, CancellationToken.None).ConfigureAwait(false);
            return (new WorkerReply(request.Id, Result: JsonSerializer.SerializeToElement(result, job.ResultType, WorkerProtocol.Json)), false);
        }
        catch (DocEngineException refusal)
        {
            return (new WorkerReply(request.Id, Refusal: WorkerRefusal.From(refusal)), false);
        }
        catch (OutOfMemoryException)
        {
            return (new WorkerReply(request.Id, Refusal: WorkerRefusal.From(WorkerRefusals.OutOfMemory())), true);
        }
        catch (InsufficientExecutionStackException)
        {
            return (new WorkerReply(request.Id, Refusal: WorkerRefusal.From(WorkerRefusals.Crashed())), false);
        }
        catch (Exception e)
        {
            return (new WorkerReply(request.Id, Failure: $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}"), false);
        }
    }
}
