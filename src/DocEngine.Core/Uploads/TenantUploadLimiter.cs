using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

/// <summary>
/// Bounds how many upload calls each tenant has in flight, so one portal cannot starve the others. The count lives in the
/// limit store, so it holds across every node sharing it; this node renews its slots while it runs, and a killed node's
/// slots lapse after <see cref="SlotLifetime"/>.
/// </summary>
internal sealed class TenantUploadLimiter(ILimitStore store, string node, int maxPerTenant, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Scope, string Id)> _unreleased = new();

    /// <summary>How long a slot outlives the node's last renewal.</summary>
    public static readonly TimeSpan SlotLifetime = TimeSpan.FromMinutes(1);

    public async Task<IAsyncDisposable> AcquireAsync(string tenant, CancellationToken cancellationToken)
    {
        var scope = "uploads:" + tenant;
        var slot = Ids.New();
        var now = time.GetUtcNow();
        if (!await store.TryTakeSlotAsync(scope, slot, node, maxPerTenant, now, now + SlotLifetime, cancellationToken).ConfigureAwait(false))
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "TOO_MANY_UPLOADS",
                $"This portal already has {maxPerTenant} uploads in progress: wait for one to finish, then retry.");
        }
        return new Slot(this, scope, slot);
    }

    /// <summary>Gives back slots whose release failed earlier, then extends the rest.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        for (var count = _unreleased.Count; count > 0 && _unreleased.TryDequeue(out var slot); count--)
        {
            await ReleaseAsync(slot.Scope, slot.Id).ConfigureAwait(false);
        }
        await store.RenewSlotsAsync(node, time.GetUtcNow() + SlotLifetime, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(string scope, string id)
    {
        try
        {
            await store.ReleaseSlotAsync(scope, id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DocEngineException unreachable) when (unreachable.Kind == ErrorKind.Unavailable)
        {
            _unreleased.Enqueue((scope, id)); // the store is down: give it back at the next renewal, so it is not renewed for ever
        }
    }

    private sealed class Slot(TenantUploadLimiter limiter, string scope, string id) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await limiter.ReleaseAsync(scope, id).ConfigureAwait(false);
            }
        }
    }
}
