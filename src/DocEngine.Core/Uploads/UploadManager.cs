using System.Collections.Concurrent;
using DocEngine.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace DocEngine.Core.Uploads;

/// <summary>
/// Resumable uploads into embedded storage. Bytes go to a per-session part file; an offset is reported to a
/// client only after the file has been fsynced and the offset recorded in the metadata store. On completion the
/// server's own SHA-256 is checked against what the client declared and the file is renamed into the blob store.
/// </summary>
public sealed partial class UploadManager
{
    private readonly UploadOptions _options;
    private readonly string _partsDirectory;
    private readonly IUploadSessionStore _sessions;
    private readonly IApplicationStore _applications;
    private readonly IDocumentStore _documents;
    private readonly IBlobStore _blobs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TenantUploadLimiter _limiter;
    private readonly ConcurrentDictionary<string, ActiveUpload> _active = new(StringComparer.Ordinal);

    /// <summary>Creates the manager over the given stores; part files live in <paramref name="partsDirectory"/>.</summary>
    public UploadManager(
        UploadOptions options,
        string partsDirectory,
        IUploadSessionStore sessions,
        IApplicationStore applications,
        IDocumentStore documents,
        IBlobStore blobs,
        TimeProvider time,
        ILogger<UploadManager> logger)
    {
        _options = options;
        _partsDirectory = Path.GetFullPath(partsDirectory);
        Directory.CreateDirectory(_partsDirectory);
        _sessions = sessions;
        _applications = applications;
        _documents = documents;
        _blobs = blobs;
        _time = time;
        _logger = logger;
        _limiter = new TenantUploadLimiter(options.MaxConcurrentUploadsPerTenant);
    }

    /// <summary>Opens a session at offset 0. An empty application id creates a new application for it.</summary>
    public async Task<UploadRecord> CreateAsync(string tenant, NewUpload request, CancellationToken cancellationToken)
    {
        var filename = UploadLabels.Filename(request.Filename);
        var mediaType = UploadLabels.MediaType(request.MediaType);
        var sha256 = UploadLabels.Sha256(request.Sha256, "sha256");
        if (request.SizeBytes < 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_SIZE",
                "The size_bytes cannot be negative: send the file's size, or leave it unset when unknown.")
            { Field = "size_bytes" };
        }
        if (request.SizeBytes > _options.MaxUploadBytes)
        {
            throw TooLarge();
        }
        var now = _time.GetUtcNow();
        var applicationId = request.ApplicationId;
        if (string.IsNullOrEmpty(applicationId))
        {
            applicationId = Ids.New();
            await _applications.CreateApplicationAsync(tenant, applicationId, "", now, cancellationToken).ConfigureAwait(false);
        }
        else if (!Ids.IsValid(applicationId)
                 || await _applications.GetApplicationAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new DocEngineException(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
                $"There is no application '{applicationId}': create it first, or leave the application empty to start a new one.")
            { Field = "application" };
        }
        var upload = new UploadRecord(tenant, Ids.New(), applicationId, filename, mediaType, request.SizeBytes, sha256,
            CommittedOffset: 0, UploadState.Open, now, now + _options.SessionExpiry);
        await _sessions.CreateUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        UploadLog.Created(_logger, upload.Id, tenant, applicationId);
        return upload;
    }

    /// <summary>The session as durably stored: its committed offset is safe to resume from.</summary>
    public async Task<UploadRecord> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var upload = (Ids.IsValid(id) ? await _sessions.GetUploadAsync(tenant, id, cancellationToken).ConfigureAwait(false) : null)
            ?? throw NotFound(id);
        return upload.State == UploadState.Open && upload.ExpireTime <= _time.GetUtcNow() ? upload with { State = UploadState.Expired } : upload;
    }

    /// <summary>
    /// Takes exclusive hold of a session for one call. With <paramref name="expectedOffset"/> the session must be open
    /// and at exactly that durable offset (otherwise FAILED_PRECONDITION carrying the current offset); without it the
    /// writer can only complete.
    /// </summary>
    public async Task<UploadWriter> OpenWriterAsync(string tenant, string id, long? expectedOffset, CancellationToken cancellationToken)
    {
        var lease = _limiter.Acquire(tenant);
        try
        {
            var active = await AcquireOwnedAsync(tenant, id, cancellationToken).ConfigureAwait(false);
            try
            {
                if (expectedOffset is { } offset)
                {
                    await EnsureOpenAsync(active, cancellationToken).ConfigureAwait(false);
                    if (offset != active.Record!.CommittedOffset)
                    {
                        throw OffsetMismatch(offset, active.Record.CommittedOffset);
                    }
                    await active.PrepareAsync(active.Record.CommittedOffset, cancellationToken).ConfigureAwait(false);
                    active.LastCommitTimestamp = _time.GetTimestamp(); // the time-based commit counts from the start of this call
                }
                return new UploadWriter(this, active, lease);
            }
            catch
            {
                Release(active);
                throw;
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>The unary append of the gRPC-Web path: checks the offset, writes, commits, and returns the session.</summary>
    public async Task<UploadRecord> AppendAsync(string tenant, string id, long offset, ReadOnlyMemory<byte> data, uint? crc32c, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(tenant, id, offset, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(data, crc32c).ConfigureAwait(false);
        await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
        return writer.Upload;
    }

    /// <summary>Completes a session; see <see cref="UploadWriter.CompleteAsync"/>.</summary>
    public async Task<DocumentRecord> CompleteAsync(string tenant, string id, string? sha256, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(tenant, id, expectedOffset: null, cancellationToken).ConfigureAwait(false);
        return await writer.CompleteAsync(sha256, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels an open session and deletes its bytes. Cancelling an ended session returns it unchanged.</summary>
    public async Task<UploadRecord> CancelAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var active = await AcquireOwnedAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        try
        {
            var upload = active.Record!;
            if (upload.State is UploadState.Completed or UploadState.Completing)
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "UPLOAD_COMPLETED",
                    "This upload is already complete and stored as a document; documents are kept, not cancelled.");
            }
            if (upload.State == UploadState.Open)
            {
                await EndAsync(active, UploadState.Cancelled, failure: null, cancellationToken).ConfigureAwait(false);
            }
            return active.Record!;
        }
        finally
        {
            Release(active);
        }
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
            active.Append(data.Span);
        }
        catch (IOException e) when (Durability.IsDiskFull(e))
        {
            UploadLog.DiskFull(_logger, active.Id, e);
            throw StorageFull(active.Record.CommittedOffset);
        }
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
        var flush = FlushAsync(active, active.Handle, active.Written, cancellationToken);
        await ((Task)flush).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Apply(active, flush);
    }

    /// <summary>
    /// Starts making the bytes written so far durable on a pool thread, so the caller can keep receiving while the
    /// device flushes; <see cref="Apply"/> the finished task on the caller's side.
    /// </summary>
    internal Task<DurablePoint> StartBackgroundCommit(ActiveUpload active)
    {
        var (handle, offset) = (active.Handle, active.Written);
        return Task.Run(() => FlushAsync(active, handle, offset, CancellationToken.None));
    }

    /// <summary>
    /// fsyncs the part file and then records <paramref name="offset"/> and the new expiry. It touches nothing the
    /// writing thread uses, so it may run while further chunks are appended past <paramref name="offset"/>.
    /// </summary>
    private async Task<DurablePoint> FlushAsync(ActiveUpload active, SafeFileHandle handle, long offset, CancellationToken cancellationToken)
    {
        Durability.FlushFile(handle);
        active.FlushDirectoryOnce();
        var expireTime = _time.GetUtcNow() + _options.SessionExpiry;
        await _sessions.SaveCommitAsync(active.Id, offset, expireTime, cancellationToken).ConfigureAwait(false);
        return new DurablePoint(offset, expireTime);
    }

    /// <summary>Adopts a finished commit as the session's durable offset, or, when it failed, rebuilds from the last one and says why.</summary>
    internal long Apply(ActiveUpload active, Task<DurablePoint> finished)
    {
        if (finished.IsCanceled)
        {
            throw new OperationCanceledException(); // nothing was lost: the bytes stay written, to be committed next time
        }
        if (finished.IsFaulted)
        {
            var error = finished.Exception!.InnerException!;
            active.Close(); // the page cache may hold what fsync could not write: rebuild from the last durable offset
            if (Durability.IsDiskFull(error))
            {
                UploadLog.DiskFull(_logger, active.Id, error);
                throw StorageFull(active.Record!.CommittedOffset);
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        var point = finished.Result;
        active.Record = active.Record! with { CommittedOffset = point.Offset, ExpireTime = point.ExpireTime };
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
        catch (Exception e) when (e is IOException or DocEngineException or Microsoft.Data.Sqlite.SqliteException)
        {
            UploadLog.PendingCommitFailed(_logger, active.Id, e);
            active.Close();
        }
    }

    internal async Task<DocumentRecord> CompleteAsync(ActiveUpload active, string? sha256, CancellationToken cancellationToken)
    {
        var declared = UploadLabels.Sha256(sha256, "sha256");
        var upload = active.Record!;
        if (upload.State == UploadState.Completed)
        {
            return await _documents.GetDocumentAsync(upload.Tenant, upload.ApplicationId, upload.DocumentId!, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Upload {upload.Id} is completed but its document is missing.");
        }
        if (upload.State != UploadState.Completing)
        {
            await EnsureOpenAsync(active, cancellationToken).ConfigureAwait(false);
            await active.PrepareAsync(active.Record!.CommittedOffset, cancellationToken).ConfigureAwait(false);
            await CommitAsync(active, cancellationToken).ConfigureAwait(false);
            upload = active.Record;
            if (upload.DeclaredSize is { } size && upload.CommittedOffset != size)
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "UPLOAD_INCOMPLETE",
                    $"The server has {upload.CommittedOffset} of the {size} bytes declared: send the rest from offset {upload.CommittedOffset}, then complete.")
                { Details = CurrentOffset(upload.CommittedOffset) };
            }
            var actual = active.CurrentSha256();
            foreach (var expected in new[] { upload.DeclaredSha256, declared })
            {
                if (expected is not null && expected != actual)
                {
                    throw new DocEngineException(ErrorKind.InvalidArgument, "SHA256_MISMATCH",
                        $"The {upload.CommittedOffset} bytes received have SHA-256 {actual}, not the {expected} declared: cancel this upload and send the file again.")
                    {
                        Field = "sha256",
                        Details = new Dictionary<string, string> { ["expected_sha256"] = expected, ["actual_sha256"] = actual },
                    };
                }
            }
            await _sessions.SetUploadStateAsync(active.Id, UploadState.Completing, actual, cancellationToken).ConfigureAwait(false);
            upload = active.Record = upload with { State = UploadState.Completing, Sha256 = actual };
        }

        // Completing is recorded: from here a crash is finished by the next CompleteUpload call.
        active.Close();
        if (File.Exists(active.PartPath))
        {
            // The media type comes from the bytes, never from the client's hint or the name.
            await using (var content = new FileStream(active.PartPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12))
            {
                upload = upload with { MediaType = Detection.ContentDetector.Detect(content, upload.Filename).MediaType };
            }
            await _blobs.PutFileAsync(active.PartPath, upload.Sha256!, cancellationToken).ConfigureAwait(false);
        }
        else if (!await _blobs.ExistsAsync(upload.Sha256!, cancellationToken).ConfigureAwait(false))
        {
            throw new DocEngineException(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
                "The server lost the bytes of this upload while storing them: upload the file again, and report this to the portal's operators.");
        }
        var document = await _sessions.CompleteUploadAsync(upload, Ids.New(), upload.Sha256!, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        active.Record = upload with { State = UploadState.Completed, DocumentId = document.Id };
        UploadLog.Completed(_logger, upload.Id, document.Id, document.SizeBytes);
        return document;
    }

    internal void Release(ActiveUpload active)
    {
        active.LastUsedTimestamp = _time.GetTimestamp();
        if (active.Record?.State != UploadState.Open)
        {
            Evict(active); // nothing more will be written: keep only open sessions in memory
        }
        active.Gate.Release();
    }

    private async Task<ActiveUpload> AcquireOwnedAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(id))
        {
            throw NotFound(id);
        }
        var active = await AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            active.Record ??= await _sessions.GetUploadAsync(null, id, cancellationToken).ConfigureAwait(false);
            if (active.Record is null || active.Record.Tenant != tenant)
            {
                throw NotFound(id);
            }
            return active;
        }
        catch
        {
            Release(active);
            throw;
        }
    }

    private async Task<ActiveUpload> AcquireAsync(string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var active = _active.GetOrAdd(id, static (id, parts) => new ActiveUpload(id, Path.Combine(parts, id + ".part")), _partsDirectory);
            if (!await active.Gate.WaitAsync(_options.SessionLockWait, cancellationToken).ConfigureAwait(false))
            {
                throw new DocEngineException(ErrorKind.Aborted, "UPLOAD_BUSY",
                    "Another connection is still writing this upload: wait for it to end, then resume from the upload's status.");
            }
            if (!active.Evicted)
            {
                return active;
            }
            active.Gate.Release();
        }
    }

    private async Task EnsureOpenAsync(ActiveUpload active, CancellationToken cancellationToken)
    {
        var upload = active.Record!;
        if (upload.State == UploadState.Open && upload.ExpireTime <= _time.GetUtcNow())
        {
            await EndAsync(active, UploadState.Expired, failure: null, cancellationToken).ConfigureAwait(false);
            upload = active.Record!;
        }
        if (upload.State == UploadState.Open)
        {
            return;
        }
        var (reason, sentence) = upload.State switch
        {
            UploadState.Completed => ("UPLOAD_COMPLETED", "This upload is already complete and stored as a document: start a new upload to add another file."),
            UploadState.Completing => ("UPLOAD_COMPLETING", "This upload is being stored: call CompleteUpload again to get its document."),
            UploadState.Cancelled => ("UPLOAD_CANCELLED", "This upload was cancelled and its bytes deleted: start a new upload."),
            UploadState.Expired => ("UPLOAD_EXPIRED", "This upload was idle past its expiry and its bytes were deleted: start a new upload."),
            _ => ("UPLOAD_FAILED", $"This upload was refused ({upload.Failure}) and its bytes deleted: start a new upload."),
        };
        throw new DocEngineException(ErrorKind.FailedPrecondition, reason, sentence);
    }

    private async Task EndAsync(ActiveUpload active, UploadState state, string? failure, CancellationToken cancellationToken)
    {
        try
        {
            await _sessions.SetUploadStateAsync(active.Id, state, failure, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Durability.IsDiskFull(e))
        {
            // Recording the end needs a page of space, and the bytes about to be deleted may be what fills the disk.
            active.DeleteData();
            await _sessions.SetUploadStateAsync(active.Id, state, failure, cancellationToken).ConfigureAwait(false);
        }
        active.Record = active.Record! with { State = state, Failure = failure };
        active.DeleteData();
        UploadLog.Ended(_logger, active.Id, state);
    }

    private void Evict(ActiveUpload active)
    {
        active.Evicted = true;
        _active.TryRemove(new KeyValuePair<string, ActiveUpload>(active.Id, active));
        active.Dispose();
    }

    private DocEngineException TooLarge() => new(ErrorKind.ResourceExhausted, "UPLOAD_TOO_LARGE",
        $"This file is larger than the {_options.MaxUploadBytes}-byte upload limit: split it or reduce it, then upload again.")
    { Field = "size_bytes" };

    private static DocEngineException NotFound(string id) => new(ErrorKind.NotFound, "UPLOAD_NOT_FOUND",
        $"There is no upload '{id}': check the name, or start a new upload.")
    { Field = "name" };

    private static DocEngineException OffsetMismatch(long sent, long current) => new(ErrorKind.FailedPrecondition, "UPLOAD_OFFSET_MISMATCH",
        $"The server has {current} bytes of this upload, not {sent}: send the next chunk from offset {current}.")
    { Field = "offset", Details = CurrentOffset(current) };

    internal static DocEngineException StorageFull(long committed) => new(ErrorKind.ResourceExhausted, "STORAGE_FULL",
        $"The server is out of storage space; the first {committed} bytes of this upload are safe: resume from there later.")
    { Details = CurrentOffset(committed) };

    private static Dictionary<string, string> CurrentOffset(long offset) =>
        new() { ["current_offset"] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}

/// <summary>An offset made durable, and the expiry recorded with it.</summary>
internal readonly record struct DurablePoint(long Offset, DateTimeOffset ExpireTime);
