namespace DocEngine.Core.Workers;

/// <summary>
/// Where jobs that read untrusted input run: <see cref="WorkerPool"/> (sandboxed worker processes: the server, the CLI,
/// the batch), or <see cref="SandboxRunner"/> in a process that is itself the sandbox.
/// </summary>
public interface IJobRunner
{
    /// <summary>Where jobs' input and output files go: a directory both this process and the jobs see.</summary>
    string WorkDirectory { get; }

    /// <summary>Runs <paramref name="job"/> within its time limit and returns its result; a refusal is the job's <see cref="DocEngineException"/>.</summary>
    Task<TResult> RunAsync<TResult>(WorkerJob<TResult> job, CancellationToken cancellationToken);
}

/// <summary>
/// Runs every job in this process, directly, within its time limit: for a process that is itself sandboxed as a worker
/// is (the one-shot child of <c>docengine-native</c>). Results are returned as they are, with no wire format (which a
/// program compiled ahead of time could not make by reflection). Never for any other process: a decoder that crashes
/// takes this process down, which is what the workers exist to prevent.
/// </summary>
public sealed class SandboxRunner(string workDirectory) : IJobRunner
{
    private readonly WorkerContext _context = new();

    /// <inheritdoc />
    public string WorkDirectory => workDirectory;

    /// <inheritdoc />
    public async Task<TResult> RunAsync<TResult>(WorkerJob<TResult> job, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(job.TimeLimit());
        try
        {
            return await Task.Run(() => job.ExecuteAsync(_context, deadline.Token), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw job.Timeout();
        }
    }
}
