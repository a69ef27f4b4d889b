using DocEngine.Core.Processing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Health of the converters, each on its own gRPC health name: "docengine.conversion" (LibreOffice), "docengine.ocr"
/// (Tesseract) and "docengine.archive" (Ghostscript); NOT_SERVING with the sentence that says what to install.
/// </summary>
internal sealed class ConverterHealthCheck(DocumentConverters converters, string which) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(which switch
        {
            "conversion" => converters.Office.IsAvailable ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(converters.Office.Unavailable().Message),
            "ocr" => converters.Ocr.IsAvailable ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(converters.Ocr.Unavailable().Message),
            _ => converters.Archive.IsAvailable ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(converters.Archive.Unavailable().Message),
        });
}
