using DocEngine.Core.Workers;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Starts the node's worker pool with the server, so the first document does not wait for workers to start; the
/// container disposes the pool (and kills its workers) when the server stops.
/// </summary>
internal sealed class WorkerPoolService(WorkerPool workers) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(workers.WorkDirectory);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
