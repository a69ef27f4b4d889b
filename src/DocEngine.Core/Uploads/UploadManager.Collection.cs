using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

public sealed partial class UploadManager
{
    /// <summary>Open part files untouched for this long are closed; the session stays open on disk.</summary>
    private static readonly TimeSpan IdleClose = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Garbage-collects uploads: expires open sessions idle past their expiry (deleting their bytes), deletes part
    /// files that no open session owns (left by a crash between two steps), and closes idle file handles.
    /// Sessions in use by a call are skipped, never waited for.
    /// </summary>
    public async Task<UploadCollection> CollectAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        foreach (var stored in await _sessions.ListExpiredUploadsAsync(_time.GetUtcNow(), limit: 1000, cancellationToken).ConfigureAwait(false))
        {
            var active = _active.GetOrAdd(stored.Id, static (id, parts) => new ActiveUpload(id, Path.Combine(parts, id + ".part")), _partsDirectory);
            if (!active.Gate.Wait(0, CancellationToken.None))
            {
                continue;
            }
            try
            {
                active.Record ??= stored;
                if (!active.Evicted && active.Record.State == UploadState.Open && active.Record.ExpireTime <= _time.GetUtcNow())
                {
                    await EndAsync(active, UploadState.Expired, failure: null, cancellationToken).ConfigureAwait(false);
                    expired++;
                }
            }
            finally
            {
                Release(active);
            }
        }

        var orphans = 0;
        foreach (var path in Directory.EnumerateFiles(_partsDirectory, "*.part"))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (_active.ContainsKey(id))
            {
                continue;
            }
            var stored = await _sessions.GetUploadAsync(null, id, cancellationToken).ConfigureAwait(false);
            if (stored?.State is not (UploadState.Open or UploadState.Completing))
            {
                File.Delete(path);
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
            Evict(active);
            active.Gate.Release();
            closed++;
        }
        UploadLog.Collected(_logger, expired, orphans, closed);
        return new UploadCollection(expired, orphans, closed);
    }
}

/// <summary>What one collection pass did.</summary>
public sealed record UploadCollection(int ExpiredSessions, int OrphanPartFiles, int ClosedIdleFiles);
