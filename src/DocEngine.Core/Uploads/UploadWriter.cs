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
    private readonly IDisposable _tenantLease;
    private bool _disposed;

    internal UploadWriter(UploadManager manager, ActiveUpload active, IDisposable tenantLease)
    {
        _manager = manager;
        _active = active;
        _tenantLease = tenantLease;
    }

    /// <summary>The session as last stored.</summary>
    public UploadRecord Upload => _active.Record!;

    /// <summary>Where the next chunk goes: bytes written, durable or not.</summary>
    public long Offset => _active.Written;

    /// <summary>True when the commit policy (bytes or time since the last commit) says to make the offset durable now.</summary>
    public bool CommitDue => _manager.IsCommitDue(_active);

    /// <summary>
    /// Checks and appends one chunk. It is not cancellable: a chunk is written whole or the session is rebuilt
    /// from its last commit, so callers check for cancellation between chunks.
    /// </summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, uint? crc32c) => _manager.WriteAsync(_active, data, crc32c);

    /// <summary>Flushes written bytes to disk and records the new durable offset, which it returns.</summary>
    public Task<long> CommitAsync(CancellationToken cancellationToken) => _manager.CommitAsync(_active, cancellationToken);

    /// <summary>Commits, checks the size and SHA-256, and stores the document. Completing a completed upload returns its document.</summary>
    public Task<Storage.DocumentRecord> CompleteAsync(string? sha256, CancellationToken cancellationToken) =>
        _manager.CompleteAsync(_active, sha256, cancellationToken);

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
            await _manager.CommitPendingAsync(_active).ConfigureAwait(false);
        }
        finally
        {
            _manager.Release(_active);
            _tenantLease.Dispose();
        }
    }
}
