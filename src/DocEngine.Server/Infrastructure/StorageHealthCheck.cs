using DocEngine.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocEngine.Server.Infrastructure;

/// <summary>Healthy when every store of the configured provider answers (and the embedded one accepts writes).</summary>
internal sealed class StorageHealthCheck(IEnumerable<IStorageProbe> probes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var probe in probes)
        {
            try
            {
                await probe.ProbeAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DocEngineException)
            {
                return HealthCheckResult.Unhealthy($"Storage: {probe.Name} does not answer.", e);
            }
        }
        return HealthCheckResult.Healthy();
    }
}
