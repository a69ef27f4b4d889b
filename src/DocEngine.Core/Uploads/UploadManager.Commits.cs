using DocEngine.Core.Storage;

namespace DocEngine.Core.Uploads;

/// <summary>Writing chunks and making them durable: the part of the manager every acknowledged byte goes through.</summary>
public sealed partial class UploadManager
{
    /// <summary>
    /// Opens the session's bytes at the stored durable point, unless this node already holds them there, and restores the
    /// running hashes from the stored hash state (a session stored without one, by an older version, is hashed again from its bytes).
    /// </summary>
    private async Task PrepareAsync(ActiveUpload active, CancellationToken cancellationToken)
    {
        var record = active.Record!;
        if (active.IsReady && active.Parts!.Written >= record.CommittedOffset && active.Hasher!.Length == active.Parts.Written)
        {
            return; // open here already, with this call's own writes past the durable point
        }
        await active.CloseAsync().ConfigureAwait(false);
        var parts = await _parts.OpenAsync(record, cancellationToken).ConfigureAwait(false);
        try
        {
            var hasher = await ResumeHashAsync(parts, record, cancellationToken).ConfigureAwait(false)
                ?? await RehashAsync(parts, record.CommittedOffset, cancellationToken).ConfigureAwait(false);
            active.Attach(parts, hasher);
        }
        catch
        {
            await parts.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The stored hash state, with the block in progress (less than 8 MiB) hashed again from its bytes; null when there is no usable state.</summary>
    private static async Task<BlobHasher?> ResumeHashAsync(IUploadParts parts, UploadRecord record, CancellationToken cancellationToken)
    {
        if (record.HashState is null)
        {
            return null;
        }
        var blockStart = record.CommittedOffset - record.CommittedOffset % BlobHashes.BlockSize;
        var block = DocumentBuffers.Rent(BlobHashes.BlockSize);
        try
        {
            var length = (int)(record.CommittedOffset - blockStart);
            await using (var content = await parts.OpenReadAsync(blockStart, cancellationToken).ConfigureAwait(false))
            {
                await content.ReadExactlyAsync(block.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            return BlobHasher.Import(record.HashState, record.CommittedOffset, block.AsSpan(0, length));
        }
        finally
        {
            DocumentBuffers.Return(block);
        }
    }

    private static async Task<BlobHasher> RehashAsync(IUploadParts parts, long committed, CancellationToken cancellationToken)
    {
        var hasher = new BlobHasher();
        var buffer = DocumentBuffers.Rent(DocumentReader.DefaultChunkSize);
        try
        {
            await using var content = await parts.OpenReadAsync(0, cancellationToken).ConfigureAwait(false);
            int read;
            while (hasher.Length < committed
                   && (read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, committed - hasher.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
        return hasher.Length == committed ? hasher : throw new DocEngineException(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
            "The server lost bytes of this upload that it had acknowledged: cancel it and upload the file again, and report this to the portal's operators.");
    }

    internal async Task WriteAsync(ActiveUpload active, ReadOnlyMemory<byte> data, uint? crc32c)
    {
        if (data.Length > _options.MaxChunkBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "CHUNK_TOO_LARGE",
                $"A chunk may carry at most {_options.MaxChunkBytes} bytes: send smaller chunks.")
            { Field = "data" };
        }
        if (crc32c is { } expected && Crc32C.Compute(data.Span) != expected)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "CHUNK_CHECKSUM_MISMATCH",
                $"The chunk at offset {active.Written} does not match its CRC32C, so it was damaged on the way: send it again from that offset.")
            { Field = "crc32c", Details = CurrentOffset(active.Written) }; // chunks before it are kept: the call commits them as it ends
        }
        if (!active.IsReady)
        {
            throw new InvalidOperationException("A write failed earlier in this call; the session must be reopened.");
        }
        var end = active.Written + data.Length;
        if (end > _options.MaxUploadBytes)
        {
            await EndAsync(active, UploadState.Failed, $"larger than the {_options.MaxUploadBytes}-byte limit", CancellationToken.None).ConfigureAwait(false);
            throw TooLarge();
        }
        if (active.Record!.DeclaredSize is { } declared && end > declared)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "UPLOAD_EXCEEDS_DECLARED_SIZE",
                $"This upload was declared as {declared} bytes but more were sent: upload the file again with its real size.")
            { Field = "data", Details = CurrentOffset(active.Written) };
        }
        try
        {
            await active.Parts!.AppendAsync(data, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await active.CloseAsync().ConfigureAwait(false); // rebuilt from the last durable point by the next call
            if (Durability.IsDiskFull(e))
            {
                UploadLog.DiskFull(_logger, active.Id, e);
                throw StorageFull(active.Record.CommittedOffset);
            }
            throw;
        }
        active.Hasher!.Append(data.Span);
    }

    internal bool IsCommitDue(ActiveUpload active)
    {
        var pending = active.Written - active.Record!.CommittedOffset;
        return pending >= _options.CommitEveryBytes
            || (pending > 0 && _time.GetElapsedTime(active.LastCommitTimestamp) >= _options.CommitEvery);
    }

    internal async Task<long> CommitAsync(ActiveUpload active, CancellationToken cancellationToken)
    {
        if (!active.IsReady || active.Written == active.Record!.CommittedOffset)
        {
            return active.Record!.CommittedOffset;
        }
        var flush = FlushAsync(active, Capture(active), cancellationToken);
        await ((Task)flush).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Apply(active, flush);
    }

    /// <summary>
    /// Starts making the bytes written so far durable on a pool thread, so the caller can keep receiving while the store
    /// flushes; <see cref="Apply"/> the finished task on the caller's side.
    /// </summary>
    internal Task<DurablePoint> StartBackgroundCommit(ActiveUpload active)
    {
        var capture = Capture(active);
        return Task.Run(() => FlushAsync(active, capture, CancellationToken.None));
    }

    /// <summary>What a commit will make durable, taken on the writing thread: the offset, the hashes at it, and the offset it moves on from.</summary>
    private static CommitCapture Capture(ActiveUpload active) =>
        new(active.Parts!, active.Written, active.Hasher!.Export(), active.Record!.CommittedOffset);

    /// <summary>
    /// Makes the bytes up to the captured offset durable in the part store, then records that offset with the hash state
    /// and the part state, provided nobody moved the session on meanwhile. It touches nothing the writing thread uses, so
    /// it may run while further chunks are appended past the offset.
    /// </summary>
    private async Task<DurablePoint> FlushAsync(ActiveUpload active, CommitCapture capture, CancellationToken cancellationToken)
    {
        var expireTime = _time.GetUtcNow() + _options.SessionExpiry;
        string? partState = null;
        var recorded = await capture.Parts.FlushAsync(capture.Offset, async state =>
        {
            partState = state;
            return await _sessions.SaveCommitAsync(active.Id, capture.Previous, new UploadCommit(capture.Offset, expireTime, capture.HashState, state), cancellationToken)
                .ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (!recorded)
        {
            throw new DocEngineException(ErrorKind.Aborted, "UPLOAD_MOVED_ON",
                "This upload was changed by another connection while this one wrote to it: ask for the upload's status and resume from its offset.");
        }
        return new DurablePoint(capture.Offset, expireTime, capture.HashState, partState);
    }

    /// <summary>Adopts a finished commit as the session's durable point, or, when it failed, rebuilds from the last one and says why.</summary>
    internal long Apply(ActiveUpload active, Task<DurablePoint> finished)
    {
        if (finished.IsCanceled)
        {
            throw new OperationCanceledException(); // nothing was lost: the bytes stay written, to be committed next time
        }
        if (finished.IsFaulted)
        {
            var error = finished.Exception!.InnerException!;
            // The page cache, or the part store, may hold what could not be made durable: rebuild from the last durable point.
            active.CloseAsync().AsTask().GetAwaiter().GetResult();
            var committed = active.Record!.CommittedOffset;
            if (Durability.IsDiskFull(error))
            {
                UploadLog.DiskFull(_logger, active.Id, error);
                throw StorageFull(committed);
            }
            if (error is DocEngineException { Kind: ErrorKind.Unavailable } unavailable)
            {
                throw new DocEngineException(ErrorKind.Unavailable, unavailable.Reason,
                    $"The server cannot store uploads just now; the first {committed} bytes of this upload are safe: resume from there in a few seconds.")
                { Cause = unavailable.Cause, Details = CurrentOffset(committed) };
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        var point = finished.Result;
        active.Record = active.Record! with { CommittedOffset = point.Offset, ExpireTime = point.ExpireTime, HashState = point.HashState, PartState = point.PartState };
        active.LastCommitTimestamp = _time.GetTimestamp();
        return point.Offset;
    }

    internal async Task CommitPendingAsync(ActiveUpload active)
    {
        if (!active.IsReady || active.Record?.State != UploadState.Open || active.Written == active.Record.CommittedOffset)
        {
            return;
        }
        try
        {
            // The call is over, possibly cancelled: this commit must not be.
            await CommitAsync(active, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or DocEngineException or ObjectDisposedException)
        {
            UploadLog.PendingCommitFailed(_logger, active.Id, e);
            await active.CloseAsync().ConfigureAwait(false);
        }
    }

    private sealed record CommitCapture(IUploadParts Parts, long Offset, byte[] HashState, long Previous);
}

/// <summary>An offset made durable, and what was recorded with it.</summary>
internal sealed record DurablePoint(long Offset, DateTimeOffset ExpireTime, byte[] HashState, string? PartState);
