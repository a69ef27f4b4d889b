using System.Collections.Concurrent;
using DocEngine.Core.Detection;
using DocEngine.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DocEngine.Core.Uploads;

/// <summary>
/// Resumable uploads over any storage provider. Bytes go to the upload-part store; an offset is reported to a client only
/// after the bytes are durable there and the offset, with the running hashes and the part store's state, is recorded in the
/// session store. Any node sharing the stores can carry a session on: the session store's lock keeps one writer at a
/// time, across nodes. On completion the server's own SHA-256 is checked against what the client declared and the bytes
/// move into the blob store. See README.md in this folder.
/// </summary>
public sealed partial class UploadManager
{
    private readonly UploadOptions _options;
    private readonly IUploadSessionStore _sessions;
    private readonly IApplicationStore _applications;
    private readonly IDocumentStore _documents;
    private readonly IBlobStore _blobs;
    private readonly IUploadPartStore _parts;
    private readonly DocumentReader _reader;
    private readonly string _workDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TenantUploadLimiter _limiter;
    private readonly ConcurrentDictionary<string, ActiveUpload> _active = new(StringComparer.Ordinal);

    /// <summary>Creates the manager over the given stores; <paramref name="node"/> names this node and its scratch space.</summary>
    public UploadManager(
        UploadOptions options,
        IUploadSessionStore sessions,
        IApplicationStore applications,
        IDocumentStore documents,
        IBlobStore blobs,
        IUploadPartStore parts,
        ILimitStore limits,
        StorageNode node,
        TimeProvider time,
        ILogger<UploadManager> logger)
    {
        _options = options;
        _sessions = sessions;
        _applications = applications;
        _documents = documents;
        _blobs = blobs;
        _parts = parts;
        _reader = new DocumentReader(blobs);
        _workDirectory = node.WorkDirectory;
        _time = time;
        _logger = logger;
        _limiter = new TenantUploadLimiter(limits, node.Name, options.MaxConcurrentUploadsPerTenant, time);
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
        var slot = await _limiter.AcquireAsync(tenant, cancellationToken).ConfigureAwait(false);
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
                    if (active.Written != offset)
                    {
                        await active.CloseAsync().ConfigureAwait(false); // bytes past the durable point were never acknowledged
                    }
                    await PrepareAsync(active, cancellationToken).ConfigureAwait(false);
                    active.LastCommitTimestamp = _time.GetTimestamp(); // the time-based commit counts from the start of this call
                }
                return new UploadWriter(this, active, slot);
            }
            catch
            {
                await ReleaseAsync(active).ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await slot.DisposeAsync().ConfigureAwait(false);
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
            await ReleaseAsync(active).ConfigureAwait(false);
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
            await PrepareAsync(active, cancellationToken).ConfigureAwait(false);
            await CommitAsync(active, cancellationToken).ConfigureAwait(false);
            upload = active.Record!;
            if (upload.DeclaredSize is { } size && upload.CommittedOffset != size)
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "UPLOAD_INCOMPLETE",
                    $"The server has {upload.CommittedOffset} of the {size} bytes declared: send the rest from offset {upload.CommittedOffset}, then complete.")
                { Details = CurrentOffset(upload.CommittedOffset) };
            }
            // The hash was kept up to date as the bytes arrived (and carried from node to node): checking it reads nothing back.
            var actual = active.Hasher!.CurrentSha256();
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

        // Completing is recorded: from here a crash is finished by the next CompleteUpload call, on any node.
        var hashes = BlobHasher.ResultOf(upload.HashState, upload.CommittedOffset) ?? new BlobHashes(upload.Sha256!, []);
        var parts = active.Parts ?? await _parts.OpenAsync(upload, cancellationToken).ConfigureAwait(false);
        try
        {
            await parts.PublishAsync(_blobs, hashes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await parts.DisposeAsync().ConfigureAwait(false);
            await active.CloseAsync().ConfigureAwait(false);
        }
        // The media type comes from the stored bytes, never from the client's hint or the name.
        upload = upload with { MediaType = await DetectAsync(upload, cancellationToken).ConfigureAwait(false) };
        var document = await _sessions.CompleteUploadAsync(upload, Ids.New(), upload.Sha256!, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        active.Record = upload with { State = UploadState.Completed, DocumentId = document.Id };
        UploadLog.Completed(_logger, upload.Id, document.Id, document.SizeBytes);
        return document;
    }

    /// <summary>What the stored bytes are: their first bytes, and for a ZIP container (Office, OpenDocument) its directory.</summary>
    private async Task<string> DetectAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        var size = upload.CommittedOffset;
        var head = new byte[(int)Math.Min(ContentDetector.HeadLength, size)];
        if (head.Length > 0)
        {
            await using var start = await _blobs.OpenReadAsync(upload.Sha256!, 0, head.Length, cancellationToken).ConfigureAwait(false);
            await start.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        }
        var kind = ContentDetector.Sniff(head, size);
        if (kind != DocumentKind.Zip)
        {
            return ContentDetector.Describe(kind).MediaType;
        }
        await using var content = await _reader.OpenSeekableAsync(upload.Sha256!, size, _workDirectory, cancellationToken).ConfigureAwait(false);
        return ContentDetector.Detect(content, upload.Filename).MediaType;
    }

    internal async Task ReleaseAsync(ActiveUpload active)
    {
        active.LastUsedTimestamp = _time.GetTimestamp();
        try
        {
            if (active.Record?.State != UploadState.Open)
            {
                await EvictAsync(active).ConfigureAwait(false); // nothing more will be written: keep only open sessions in memory
            }
            if (active.StoreLock is { } held)
            {
                active.StoreLock = null;
                await held.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            active.Gate.Release();
        }
        if (_active.Count > _options.MaxSessionsInMemory)
        {
            await TrimAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes the least recently used idle sessions in memory until at most <see cref="UploadOptions.MaxSessionsInMemory"/>
    /// remain, so uploads started and left unfinished cannot hold an open file each until the node runs out (found by
    /// fuzzing: 20,000 abandoned sessions took every file descriptor). Sessions in a call are skipped, never waited for.
    /// </summary>
    private async Task TrimAsync()
    {
        var excess = _active.Count - _options.MaxSessionsInMemory;
        foreach (var idle in _active.Values.OrderBy(a => a.LastUsedTimestamp).ToList())
        {
            if (excess <= 0)
            {
                break;
            }
            if (!idle.Gate.Wait(0, CancellationToken.None))
            {
                continue;
            }
            try
            {
                if (!idle.Evicted)
                {
                    await EvictAsync(idle).ConfigureAwait(false);
                    excess--;
                }
            }
            finally
            {
                idle.Gate.Release();
            }
        }
    }

    /// <summary>Takes the session in this process (its gate) and across nodes (the store's lock), then reads it as stored.</summary>
    private async Task<ActiveUpload> AcquireOwnedAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(id))
        {
            throw NotFound(id);
        }
        var active = await AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            active.StoreLock = await _sessions.LockUploadAsync(id, _options.SessionLockWait, cancellationToken).ConfigureAwait(false) ?? throw Busy();
            var stored = await _sessions.GetUploadAsync(null, id, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.Tenant != tenant)
            {
                throw NotFound(id);
            }
            if (active.Record is { } seen && (seen.CommittedOffset != stored.CommittedOffset || seen.State != stored.State || seen.PartState != stored.PartState))
            {
                await active.CloseAsync().ConfigureAwait(false); // another node moved the session on: start from what is stored
            }
            active.Record = stored;
            return active;
        }
        catch
        {
            await ReleaseAsync(active).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ActiveUpload> AcquireAsync(string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var active = _active.GetOrAdd(id, static id => new ActiveUpload(id));
            if (!await active.Gate.WaitAsync(_options.SessionLockWait, cancellationToken).ConfigureAwait(false))
            {
                throw Busy();
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
            await DeleteDataAsync(active).ConfigureAwait(false);
            await _sessions.SetUploadStateAsync(active.Id, state, failure, cancellationToken).ConfigureAwait(false);
        }
        active.Record = active.Record! with { State = state, Failure = failure };
        await DeleteDataAsync(active).ConfigureAwait(false);
        UploadLog.Ended(_logger, active.Id, state);
    }

    private async Task DeleteDataAsync(ActiveUpload active)
    {
        await active.CloseAsync().ConfigureAwait(false);
        await _parts.DeleteAsync(active.Id, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task EvictAsync(ActiveUpload active)
    {
        active.Evicted = true;
        _active.TryRemove(new KeyValuePair<string, ActiveUpload>(active.Id, active));
        await active.CloseAsync().ConfigureAwait(false);
    }

    private DocEngineException TooLarge() => new(ErrorKind.ResourceExhausted, "UPLOAD_TOO_LARGE",
        $"This file is larger than the {_options.MaxUploadBytes}-byte upload limit: split it or reduce it, then upload again.")
    { Field = "size_bytes" };

    private static DocEngineException Busy() => new(ErrorKind.Aborted, "UPLOAD_BUSY",
        "Another connection is still writing this upload: wait for it to end, then resume from the upload's status.");

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
