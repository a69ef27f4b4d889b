using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocEngine.Server.Infrastructure;

/// <summary>Health of the preview subsystem (gRPC health service "docengine.previews"): healthy when mutool can be run.</summary>
internal sealed class PreviewHealthCheck(Core.Previews.PreviewService previews) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(previews.Mutool.Version is { } version
            ? HealthCheckResult.Healthy(version)
            : HealthCheckResult.Unhealthy("mutool is not installed or cannot run: apt-get install mupdf-tools"));
}
