using Amazon.S3;
using Amazon.S3.Model;

namespace DocEngine.Core.Storage.S3;

/// <summary>
/// One S3 upload session, open for one writer: the bytes from the end of the last stored part to <see cref="Written"/> are
/// kept in memory (pages rented from the document pool, at most about one part plus what arrives during a flush), the rest
/// is in the store. A flush stores whole parts, then one tail object with what is left, then records the new state.
/// </summary>
internal sealed class S3UploadParts(S3Bucket bucket, string uploadId, S3PartState state, long committed) : IUploadParts
{
    private const int PageSize = 1 << 20;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly List<byte[]> _pages = [];
    private long _start = state.PartsEnd; // the offset of _pages[0][0]
    private S3PartState _state = state;
    private bool _published;
    private bool _disposed;

    public long Written { get; private set; } = state.PartsEnd;

    private string DataKey => S3Bucket.UploadPrefix(uploadId) + "data";

    /// <summary>Reads the tail objects back into memory: the bytes between the last part and the committed offset.</summary>
    public async Task LoadTailsAsync(bool published, CancellationToken cancellationToken)
    {
        if (_state.TailEnd != committed || _state.Tails.Select((t, i) => i == 0 ? t.At == _state.PartsEnd : t.At == _state.Tails[i - 1].At + _state.Tails[i - 1].Length).Any(ok => !ok))
        {
            throw Lost();
        }
        foreach (var tail in _state.Tails)
        {
            var bytes = await bucket.GetBytesAsync(tail.Key, cancellationToken).ConfigureAwait(false);
            if (bytes is null && published)
            {
                _published = true; // its bytes already went into the blob store before a crash
                Written = committed;
                return;
            }
            if (bytes is null || bytes.Length < tail.Length)
            {
                throw Lost();
            }
            Append(bytes.AsSpan(0, (int)tail.Length));
        }
    }

    public ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed || _published, this);
        Append(data.Span);
        return ValueTask.CompletedTask;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        lock (_sync)
        {
            while (!data.IsEmpty)
            {
                var used = (int)((Written - _start) % PageSize);
                if (used == 0 && Written - _start == (long)_pages.Count * PageSize)
                {
                    _pages.Add(DocumentBuffers.Rent(PageSize));
                }
                var take = Math.Min(PageSize - used, data.Length);
                data[..take].CopyTo(_pages[^1].AsSpan(used));
                data = data[take..];
                Written += take;
            }
        }
    }

    public async Task<bool> FlushAsync(long offset, Func<string?, Task<bool>> record, CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await FlushPartsAsync(offset, record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task<bool> FlushPartsAsync(long offset, Func<string?, Task<bool>> record, CancellationToken cancellationToken)
    {
        var previous = _state;
        var partSize = bucket.Options.PartBytes;
        var upload = previous.Upload;
        var parts = previous.Parts.ToList();
        var cursor = previous.PartsEnd;
        var buffer = DocumentBuffers.Rent(partSize);
        try
        {
            while (offset - cursor >= partSize)
            {
                upload ??= (await bucket.Run(() => bucket.Client.InitiateMultipartUploadAsync(bucket.Name, DataKey, cancellationToken)).ConfigureAwait(false)).UploadId;
                CopyOut(cursor, buffer.AsSpan(0, partSize));
                var number = parts.Count + 1;
                var stored = await bucket.Run(() => bucket.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket.Name,
                    Key = DataKey,
                    UploadId = upload,
                    PartNumber = number,
                    InputStream = new ReadOnlyMemoryStream(buffer.AsMemory(0, partSize)),
                    UseChunkEncoding = false,
                }, cancellationToken)).ConfigureAwait(false);
                parts.Add(new S3Part(number, stored.ETag, partSize));
                cursor += partSize;
            }
            var tails = cursor > previous.PartsEnd ? [] : previous.Tails.ToList();
            var from = cursor > previous.PartsEnd ? cursor : previous.TailEnd;
            if (offset > from)
            {
                var key = $"{S3Bucket.UploadPrefix(uploadId)}tail-{from:D13}-{Ids.New()}";
                var length = (int)(offset - from);
                CopyOut(from, buffer.AsSpan(0, length));
                await bucket.PutAsync(key, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                tails.Add(new S3Tail(from, length, key));
            }
            var next = new S3PartState(upload, parts, tails);
            if (!await record(next.ToJson()).ConfigureAwait(false))
            {
                return false;
            }
            _state = next;
            DropBefore(cursor);
            foreach (var obsolete in previous.Tails.Where(t => !tails.Contains(t)))
            {
                await ((Task)bucket.Client.DeleteObjectAsync(bucket.Name, obsolete.Key, CancellationToken.None)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            return true;
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
    }

    public async Task PublishAsync(IBlobStore blobs, BlobHashes hashes, CancellationToken cancellationToken)
    {
        var store = blobs as S3BlobStore ?? throw new InvalidOperationException("S3 upload parts publish into the S3 blob store of the same bucket.");
        var key = S3Bucket.BlobKey(hashes.Sha256);
        if (!await store.ExistsAsync(hashes.Sha256, cancellationToken).ConfigureAwait(false))
        {
            if (_published)
            {
                throw Lost();
            }
            await store.PutBlocksAsync(hashes, cancellationToken).ConfigureAwait(false);
            if (_state.Upload is null)
            {
                // Shorter than a part: the whole file is in memory, and goes in with one PUT.
                var whole = new byte[Written];
                CopyOut(0, whole);
                await bucket.PutAsync(key, whole, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CompleteMultipartAsync(cancellationToken).ConfigureAwait(false);
                // Server-side: the store reads and writes the file once more, but no byte crosses the network to this node.
                await bucket.Run(() => bucket.Client.CopyObjectAsync(new CopyObjectRequest
                {
                    SourceBucket = bucket.Name,
                    SourceKey = DataKey,
                    DestinationBucket = bucket.Name,
                    DestinationKey = key,
                }, cancellationToken)).ConfigureAwait(false);
            }
        }
        _published = true;
        await bucket.DeletePrefixAsync(S3Bucket.UploadPrefix(uploadId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what is after the last whole part as the final part, and completes the multipart upload (already done before a crash is fine).</summary>
    private async Task CompleteMultipartAsync(CancellationToken cancellationToken)
    {
        var parts = _state.Parts.Select(p => new PartETag(p.Number, p.ETag)).ToList();
        var rest = Written - _state.PartsEnd;
        try
        {
            if (rest > 0)
            {
                var last = new byte[rest];
                CopyOut(_state.PartsEnd, last);
                var number = parts.Count + 1;
                var stored = await bucket.Run(() => bucket.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket.Name,
                    Key = DataKey,
                    UploadId = _state.Upload,
                    PartNumber = number,
                    InputStream = new ReadOnlyMemoryStream(last),
                    UseChunkEncoding = false,
                }, cancellationToken)).ConfigureAwait(false);
                parts.Add(new PartETag(number, stored.ETag));
            }
            await bucket.Run(() => bucket.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket.Name,
                Key = DataKey,
                UploadId = _state.Upload,
                PartETags = parts,
            }, cancellationToken)).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            if (!await ExistsAsync(DataKey, cancellationToken).ConfigureAwait(false))
            {
                throw Lost();
            }
            // Completed by an earlier attempt that crashed before the copy.
        }
    }

    private Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => bucket.Run(async () =>
    {
        try
        {
            await bucket.Client.GetObjectMetadataAsync(bucket.Name, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (S3Bucket.IsMissing(e))
        {
            return false;
        }
    });

    /// <remarks>Only what is still in memory: the parts of a multipart upload cannot be read before it completes. Parts are whole blocks, so the block in progress always is.</remarks>
    public Task<Stream> OpenReadAsync(long from, CancellationToken cancellationToken)
    {
        if (from < _start)
        {
            throw Lost();
        }
        var bytes = new byte[Written - from];
        CopyOut(from, bytes);
        return Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Copies the bytes at [<paramref name="from"/>, + destination length) out of the in-memory pages.</summary>
    private void CopyOut(long from, Span<byte> destination)
    {
        byte[][] pages;
        long start;
        lock (_sync)
        {
            pages = [.. _pages];
            start = _start;
        }
        var position = from - start;
        while (!destination.IsEmpty)
        {
            var page = pages[(int)(position / PageSize)];
            var within = (int)(position % PageSize);
            var take = Math.Min(PageSize - within, destination.Length);
            page.AsSpan(within, take).CopyTo(destination);
            destination = destination[take..];
            position += take;
        }
    }

    /// <summary>Returns the pages wholly before <paramref name="offset"/>: their bytes are in stored parts now.</summary>
    private void DropBefore(long offset)
    {
        lock (_sync)
        {
            while (_pages.Count > 0 && _start + PageSize <= offset)
            {
                DocumentBuffers.Return(_pages[0]);
                _pages.RemoveAt(0);
                _start += PageSize;
            }
        }
    }

    private static DocEngineException Lost() => new(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
        "The server lost bytes of this upload that it had acknowledged: cancel it and upload the file again, and report this to the portal's operators.");

    /// <summary>Returns the pages to the pool, after any flush still reading them has finished.</summary>
    public async ValueTask DisposeAsync()
    {
        await _flushing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    foreach (var page in _pages)
                    {
                        DocumentBuffers.Return(page);
                    }
                    _pages.Clear();
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }
}
