using DocEngine.Core.Access;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Reloads the revoked access tokens from the shared store every <see cref="AccessOptions.RevocationRefreshInterval"/>,
/// which is how a revocation made on another node reaches this one. A failed reload is logged once per failure streak;
/// while the list is stale, tokens are looked up one by one (<see cref="RevocationList"/>).
/// </summary>
internal sealed class RevocationRefreshService(RevocationList revocations, AccessOptions options, ILogger<RevocationRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RevocationRefreshInterval);
        var failing = false;
        do
        {
            try
            {
                await revocations.RefreshAsync(stoppingToken);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!failing)
                {
                    ServerLog.RevocationRefreshFailed(logger, e);
                }
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
