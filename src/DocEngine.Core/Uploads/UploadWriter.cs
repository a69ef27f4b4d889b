using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

/// <summary>
/// Exclusive access to one open upload for the length of one call: write chunks, make them durable, complete.
/// Disposing commits bytes written but not yet committed: they are whole chunks the client sent, so keeping them
/// lets it resume further on after a disconnect.
/// </summary>
public sealed class UploadWriter : IAsyncDisposable
{
    private readonly UploadManager _manager;
    private readonly ActiveUpload _active;
    private readonly IAsyncDisposable _tenantSlot;
    private Task<DurablePoint>? _background;
    private bool _disposed;

    internal UploadWriter(UploadManager manager, ActiveUpload active, IAsyncDisposable tenantSlot)
    {
        _manager = manager;
        _active = active;
        _tenantSlot = tenantSlot;
    }

    /// <summary>The session as last stored.</summary>
    public UploadRecord Upload => _active.Record!;

    /// <summary>Where the next chunk goes: bytes written, durable or not.</summary>
    public long Offset => _active.Written;

    /// <summary>
    /// Starts a commit in the background when the policy says so (8 MiB or 1 second since the last one) and none is in
    /// flight. Receiving continues meanwhile; <see cref="TryTakeBackgroundCommit"/> reports when it is durable.
    /// </summary>
    public void CommitInBackgroundIfDue()
    {
        if (_background is null && _manager.IsCommitDue(_active))
        {
            _background = _manager.StartBackgroundCommit(_active);
        }
    }

    /// <summary>True, with the new durable offset, when a background commit has finished since the last call; throws if it failed.</summary>
    public bool TryTakeBackgroundCommit(out long committedOffset)
    {
        committedOffset = 0;
        if (_background is not { IsCompleted: true } finished)
        {
            return false;
        }
        _background = null;
        committedOffset = _manager.Apply(_active, finished);
        return true;
    }

    /// <summary>
    /// Checks and appends one chunk. It is not cancellable: a chunk is written whole or the session is rebuilt
    /// from its last commit, so callers check for cancellation between chunks.
    /// </summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, uint? crc32c)
    {
        try
        {
            await _manager.WriteAsync(_active, data, crc32c).ConfigureAwait(false);
            DocEngineMetrics.UploadReceived(data.Length);
        }
        catch (DocEngineException full) when (full.Reason == "STORAGE_FULL" && _background is not null)
        {
            // A commit still in flight may yet make earlier chunks durable: say the offset it ends at, not the one before it.
            try
            {
                await DrainBackgroundCommitAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or DocEngineException or ObjectDisposedException)
            {
                // It failed too: on the full store, or on the parts the failed write closed. The session is back at
                // its last durable offset.
            }
            throw UploadManager.StorageFull(_active.Record!.CommittedOffset);
        }
    }

    /// <summary>Waits for any background commit, then flushes the rest to disk and records the new durable offset, which it returns.</summary>
    public async Task<long> CommitAsync(CancellationToken cancellationToken)
    {
        await DrainBackgroundCommitAsync().ConfigureAwait(false);
        return await _manager.CommitAsync(_active, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits, checks the size and SHA-256, and stores the document. Completing a completed upload returns its document.</summary>
    public async Task<Storage.DocumentRecord> CompleteAsync(string? sha256, CancellationToken cancellationToken)
    {
        await DrainBackgroundCommitAsync().ConfigureAwait(false);
        return await _manager.CompleteAsync(_active, sha256, cancellationToken).ConfigureAwait(false);
    }

    private async Task DrainBackgroundCommitAsync()
    {
        if (_background is { } inFlight)
        {
            _background = null;
            await ((Task)inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _manager.Apply(_active, inFlight);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            try
            {
                await DrainBackgroundCommitAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A failed commit has already closed the session back to its last durable offset (Apply), and the call
                // is reporting its own error; disposal must not replace it.
            }
            await _manager.CommitPendingAsync(_active).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _manager.ReleaseAsync(_active).ConfigureAwait(false);
            }
            finally
            {
                await _tenantSlot.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
