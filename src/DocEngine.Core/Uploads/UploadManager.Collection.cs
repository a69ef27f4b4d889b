using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

public sealed partial class UploadManager
{
    /// <summary>Open sessions untouched for this long are closed in memory; the session stays open in the store.</summary>
    private static readonly TimeSpan IdleClose = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Garbage-collects uploads: expires open sessions idle past their expiry (deleting their bytes), deletes bytes in the
    /// upload-part store that no open session owns (left by a crash between two steps), and closes idle sessions in
    /// memory. Sessions in use by a call, on this node or another, are skipped, never waited for; every node may run this
    /// at once, since each session is ended under its lock and only after it is read again.
    /// </summary>
    public async Task<UploadCollection> CollectAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        foreach (var stored in await _sessions.ListExpiredUploadsAsync(_time.GetUtcNow(), limit: 1000, cancellationToken).ConfigureAwait(false))
        {
            var active = _active.GetOrAdd(stored.Id, static id => new ActiveUpload(id));
            if (!active.Gate.Wait(0, CancellationToken.None))
            {
                continue;
            }
            try
            {
                if (active.Evicted || (active.StoreLock = await _sessions.LockUploadAsync(stored.Id, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)) is null)
                {
                    continue;
                }
                var current = await _sessions.GetUploadAsync(null, stored.Id, cancellationToken).ConfigureAwait(false);
                if (current is { State: UploadState.Open } && current.ExpireTime <= _time.GetUtcNow())
                {
                    active.Record = current;
                    await EndAsync(active, UploadState.Expired, failure: null, cancellationToken).ConfigureAwait(false);
                    expired++;
                }
                else
                {
                    active.Record ??= current;
                }
            }
            finally
            {
                await ReleaseAsync(active).ConfigureAwait(false);
            }
        }

        var orphans = 0;
        await foreach (var id in _parts.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_active.ContainsKey(id))
            {
                continue;
            }
            var stored = Ids.IsValid(id) ? await _sessions.GetUploadAsync(null, id, cancellationToken).ConfigureAwait(false) : null;
            if (stored?.State is not (UploadState.Open or UploadState.Completing))
            {
                await _parts.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                orphans++;
            }
        }

        var closed = 0;
        foreach (var active in _active.Values)
        {
            if (_time.GetElapsedTime(active.LastUsedTimestamp) < IdleClose || !active.Gate.Wait(0, CancellationToken.None))
            {
                continue;
            }
            await EvictAsync(active).ConfigureAwait(false);
            active.Gate.Release();
            closed++;
        }
        UploadLog.Collected(_logger, expired, orphans, closed);
        return new UploadCollection(expired, orphans, closed);
    }

    /// <summary>Keeps this node's upload slots alive in a shared limit store (a heartbeat; a dead node's slots expire instead).</summary>
    public Task RenewSlotsAsync(CancellationToken cancellationToken) => _limiter.RenewAsync(cancellationToken);
}

/// <summary>What one collection pass did.</summary>
public sealed record UploadCollection(int ExpiredSessions, int OrphanPartFiles, int ClosedIdleFiles);
