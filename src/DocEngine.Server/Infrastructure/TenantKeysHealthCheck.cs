using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Unhealthy when no tenant can authenticate (no API key and no OIDC issuer configured): every DocEngine call would be
/// refused, so a load balancer should not send any here, and the operator reads why.
/// </summary>
internal sealed class TenantKeysHealthCheck(ServerOptions options) : IHealthCheck
{
    public const string Sentence = "No API keys are configured under DocEngine:ApiKeys (and no OIDC issuer under DocEngine:Oidc), so every DocEngine call is refused: "
        + "add one per portal (DocEngine__ApiKeys__0__Key and DocEngine__ApiKeys__0__Tenant), or run in Development for the development key.";

    /// <summary>True when at least one key names a tenant, or OIDC bearer tokens are accepted.</summary>
    public static bool AnyKey(ServerOptions options) =>
        options.Oidc.Enabled || options.ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k.Key) && !string.IsNullOrWhiteSpace(k.Tenant));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(AnyKey(options) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(Sentence));
}
