using DocEngine.Core.Batch;

namespace DocEngine.Server.Infrastructure;

/// <summary>Runs server-side batches in the background for as long as the server runs; after a restart it carries on.</summary>
public sealed class BatchRunnerService(StoredBatches batches, ILogger<BatchRunnerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await batches.RunAsync(Math.Max(1, Environment.ProcessorCount), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store failure (e.g. a full disk) pauses batches; the items stay in the store for the next attempt.
                ServerLog.BatchRunnerFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}
