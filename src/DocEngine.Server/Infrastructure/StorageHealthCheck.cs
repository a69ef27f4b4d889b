using DocEngine.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocEngine.Server.Infrastructure;

/// <summary>Healthy when the metadata database answers and the data directory accepts writes.</summary>
internal sealed class StorageHealthCheck(EmbeddedStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.Metadata.GetUploadAsync(null, "health-probe", cancellationToken);
            var probe = Path.Combine(storage.UploadsDirectory, ".health-probe");
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            return HealthCheckResult.Unhealthy("Embedded storage is not writable.", e);
        }
    }
}
