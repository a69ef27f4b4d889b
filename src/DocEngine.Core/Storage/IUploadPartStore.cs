namespace DocEngine.Core.Storage;

/// <summary>
/// The bytes of uploads in flight, between the client's chunks and the blob store: part files on this node (embedded), or
/// multipart parts and tail objects in the object store (S3), so that any node can carry a session on. A session's
/// durable point is its committed offset plus the part state this store returns, both kept by <see cref="IUploadSessionStore"/>.
/// See src/DocEngine.Core/Uploads/README.md.
/// </summary>
public interface IUploadPartStore
{
    /// <summary>Opens a session's bytes at its durable point (<see cref="UploadRecord.CommittedOffset"/> and <see cref="UploadRecord.PartState"/>); bytes past it are dropped.</summary>
    Task<IUploadParts> OpenAsync(UploadRecord upload, CancellationToken cancellationToken);

    /// <summary>Deletes whatever a session holds here; nothing to delete is fine.</summary>
    Task DeleteAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>The ids of sessions that hold bytes here, so the collector can delete those no open session owns.</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);
}

/// <summary>One session's bytes, held by one writer at a time (the caller holds the session's lock).</summary>
public interface IUploadParts : IAsyncDisposable
{
    /// <summary>Bytes appended, durable or not.</summary>
    long Written { get; }

    /// <summary>Appends at <see cref="Written"/>; not durable until flushed. A failure leaves this object unusable: open the session again.</summary>
    ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the first <paramref name="offset"/> bytes durable (appends may continue meanwhile), then calls <paramref name="record"/>
    /// with the part state to store beside the offset. <paramref name="record"/> returns false when the session moved on
    /// without this writer; what this flush made is then left for the collector.
    /// </summary>
    Task<bool> FlushAsync(long offset, Func<string?, Task<bool>> record, CancellationToken cancellationToken);

    /// <summary>Moves the first <see cref="Written"/> bytes into the blob store under <paramref name="hashes"/>, and deletes what the session held here.</summary>
    Task PublishAsync(IBlobStore blobs, BlobHashes hashes, CancellationToken cancellationToken);

    /// <summary>
    /// The bytes from <paramref name="from"/> to <see cref="Written"/>: the block in progress when a node takes a session up
    /// (at most 8 MiB, from a block boundary), or everything, for a session stored without its hash state.
    /// </summary>
    Task<Stream> OpenReadAsync(long from, CancellationToken cancellationToken);
}
