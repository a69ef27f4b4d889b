using DocEngine.Core;
using DocEngine.Core.Uploads;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Runs upload garbage collection at start-up and then every <see cref="UploadOptions.CollectionInterval"/> (on every node:
/// each session is ended under its lock), and renews this node's upload slots in the limit store every 15 seconds.
/// </summary>
internal sealed class UploadCollectorService(UploadManager uploads, DocEngineOptions options, ILogger<UploadCollectorService> logger) : BackgroundService
{
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(15);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(CollectAsync(stoppingToken), RenewAsync(stoppingToken));

    private async Task CollectAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Uploads.CollectionInterval);
        do
        {
            try
            {
                await uploads.CollectAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.CollectionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RenewAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await uploads.RenewSlotsAsync(stoppingToken);
            }
            catch (DocEngineException e) when (e.Kind == ErrorKind.Unavailable)
            {
                ServerLog.CollectionFailed(logger, e); // tried again at the next tick, well before a slot lapses
            }
        }
    }
}
