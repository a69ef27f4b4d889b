using DocEngine.Core;
using DocEngine.Core.Uploads;

namespace DocEngine.Server.Infrastructure;

/// <summary>Runs upload garbage collection at start-up and then every <see cref="UploadOptions.CollectionInterval"/>.</summary>
internal sealed class UploadCollectorService(UploadManager uploads, DocEngineOptions options, ILogger<UploadCollectorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
}
