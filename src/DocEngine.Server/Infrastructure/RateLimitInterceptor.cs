using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Calls per second per tenant and per applicant token, as token buckets (System.Threading.RateLimiting, the limiter
/// library behind ASP.NET Core's rate limiting middleware; the middleware itself runs before gRPC has authenticated the
/// caller, so the partitions could not be tenants and tokens there). A tenant's own calls (API key, OIDC) share the
/// tenant's bucket; each applicant token has its own, so one applicant cannot starve the portal or other applicants.
/// A refused call is RESOURCE_EXHAUSTED with a google.rpc.RetryInfo saying when to try again. Limits are per node.
/// </summary>
public sealed class RateLimitInterceptor : GateInterceptor, IDisposable
{
    private readonly PartitionedRateLimiter<Caller> _limiter;

    /// <summary>Builds the buckets from <c>DocEngine:Limits</c>.</summary>
    public RateLimitInterceptor(ServerOptions options)
    {
        var limits = options.Limits;
        _limiter = PartitionedRateLimiter.Create<Caller, string>(caller => caller.Grant is { } grant
            ? Bucket("token:" + grant.TokenId, limits.TokenRequestsPerSecond, limits.TokenBurst)
            : Bucket("tenant:" + caller.Tenant, limits.TenantRequestsPerSecond, limits.TenantBurst));
    }

    protected override ValueTask CheckAsync(ServerCallContext context)
    {
        if (Callers.Find(context) is not { } caller)
        {
            return ValueTask.CompletedTask;
        }
        using var lease = _limiter.AttemptAcquire(caller);
        if (lease.IsAcquired)
        {
            return ValueTask.CompletedTask;
        }
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
        var kind = caller.Grant is null ? "tenant" : "token";
        DocEngineMetrics.CallLimited(kind);
        throw new DocEngineException(ErrorKind.ResourceExhausted, "RATE_LIMITED",
            string.Create(CultureInfo.InvariantCulture,
                $"Too many calls from this {(kind == "tenant" ? "tenant" : "access token")}: wait {Math.Ceiling(retryAfter.TotalMilliseconds) / 1000:0.###} s (RetryInfo says exactly) and call again, more slowly."))
        {
            RetryAfter = retryAfter,
            Details = new Dictionary<string, string> { ["caller"] = kind },
        };
    }

    /// <summary>A token bucket of <paramref name="burst"/> calls refilled at <paramref name="perSecond"/>; no limit when either is 0.</summary>
    private static RateLimitPartition<string> Bucket(string key, double perSecond, int burst)
    {
        if (perSecond <= 0 || burst <= 0)
        {
            return RateLimitPartition.GetNoLimiter(key);
        }
        // Refill in small steps (at most 10 a second), so a caller at the limit is paced rather than let through in lumps.
        var period = perSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / perSecond);
        var tokensPerPeriod = Math.Max(1, (int)Math.Round(perSecond * period.TotalSeconds));
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
