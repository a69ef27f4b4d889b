using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace DocEngine.Core.Uploads;

/// <summary>Bounds how many upload calls each tenant has in flight, so one portal cannot starve the others.</summary>
internal sealed class TenantUploadLimiter(int maxPerTenant)
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);

    public IDisposable Acquire(string tenant)
    {
        var count = _inFlight.GetOrAdd(tenant, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) > maxPerTenant)
        {
            Interlocked.Decrement(ref count.Value);
            throw new DocEngineException(ErrorKind.ResourceExhausted, "TOO_MANY_UPLOADS",
                $"This portal already has {maxPerTenant} uploads in progress: wait for one to finish, then retry.");
        }
        return new Lease(count);
    }

    private sealed class Lease(StrongBox<int> count) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref count.Value);
            }
        }
    }
}
