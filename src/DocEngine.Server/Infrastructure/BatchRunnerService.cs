using DocEngine.Core.Batch;

namespace DocEngine.Server.Infrastructure;

/// <summary>Runs server-side batches in the background for as long as the server runs; after a restart it carries on.</summary>
public sealed class BatchRunnerService(StoredBatches batches, Core.DocEngineOptions options, ILogger<BatchRunnerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await batches.RunAsync(Math.Max(1, options.Batches.Concurrency), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store failure (a full disk, a database out of reach) pauses batches; the items stay in the store for the next attempt.
                ServerLog.BatchRunnerFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}
