using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

/// <summary>
/// This node's view of one upload session: its bytes in the upload-part store, opened at the durable point, and the
/// running hashes of those bytes. Only the holder of <see cref="Gate"/> (in this process) and of <see cref="StoreLock"/>
/// (across the nodes sharing the store) touches anything else here. Whenever the stored session differs from what this
/// node last saw (another node wrote it, or a write failed), the bytes are opened again at the stored durable point and
/// the hashes restored from the stored hash state.
/// </summary>
internal sealed class ActiveUpload(string id)
{
    public string Id { get; } = id;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The session's writer lock in the metadata store, held for the length of one call.</summary>
    public IAsyncDisposable? StoreLock { get; set; }

    /// <summary>The session as last stored; null until first loaded.</summary>
    public UploadRecord? Record { get; set; }

    /// <summary>The session's bytes, open at the durable point plus what this call wrote; null until prepared.</summary>
    public IUploadParts? Parts { get; private set; }

    /// <summary>The hashes of <see cref="Written"/> bytes.</summary>
    public BlobHasher? Hasher { get; private set; }

    /// <summary>Bytes written, durable or not; at least <see cref="UploadRecord.CommittedOffset"/>.</summary>
    public long Written => Parts?.Written ?? Record?.CommittedOffset ?? 0;

    public long LastCommitTimestamp { get; set; }
    public long LastUsedTimestamp { get; set; }

    /// <summary>True while the bytes are open and the hashes cover <see cref="Written"/>.</summary>
    public bool IsReady => Parts is not null && Hasher is not null;

    /// <summary>Set under the gate when the cache drops this entry; a caller that then acquires the gate must look again.</summary>
    public bool Evicted { get; set; }

    public void Attach(IUploadParts parts, BlobHasher hasher)
    {
        Parts = parts;
        Hasher = hasher;
    }

    /// <summary>Closes the bytes and forgets the hashes; the next prepare opens them again from the store.</summary>
    public async ValueTask CloseAsync()
    {
        var parts = Parts;
        Parts = null;
        Hasher = null;
        if (parts is not null)
        {
            await parts.DisposeAsync().ConfigureAwait(false);
        }
    }
}
