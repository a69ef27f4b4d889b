using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace DocEngine.Core.Storage.Embedded;

/// <summary>
/// Upload bytes in flight as one part file per session, <c>{uploads}/{id}.part</c>, on the blob store's file system so that
/// completing an upload is a rename. A flush is an fsync of the file (and, the first time, of its directory).
/// </summary>
public sealed class FileUploadPartStore : IUploadPartStore
{
    private readonly string _directory;

    /// <summary>Keeps part files in <paramref name="directory"/>, creating it when missing.</summary>
    public FileUploadPartStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Where a session's part file is.</summary>
    public string PathOf(string uploadId) => Path.Combine(_directory, uploadId + ".part");

    /// <inheritdoc />
    public Task<IUploadParts> OpenAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(upload.Id);
        if (upload.State == UploadState.Completing && !File.Exists(path))
        {
            return Task.FromResult<IUploadParts>(new FileUploadParts(path, null, upload.CommittedOffset)); // renamed into the blob store before a crash
        }
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (length < upload.CommittedOffset)
            {
                throw new DocEngineException(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
                    "The server lost bytes of this upload that it had acknowledged: cancel it and upload the file again, and report this to the portal's operators.");
            }
            if (length > upload.CommittedOffset)
            {
                RandomAccess.SetLength(handle, upload.CommittedOffset); // bytes past the last commit were never acknowledged
            }
            return Task.FromResult<IUploadParts>(new FileUploadParts(path, handle, upload.CommittedOffset));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(uploadId));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var path in Directory.EnumerateFiles(_directory, "*.part"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Path.GetFileNameWithoutExtension(path);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>A health probe: the part directory accepts a write.</summary>
    internal async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(_directory, ".health-probe");
        await File.WriteAllBytesAsync(probe, [1], cancellationToken).ConfigureAwait(false);
        File.Delete(probe);
    }
}

/// <summary>One session's part file, open for one writer.</summary>
internal sealed class FileUploadParts(string path, SafeFileHandle? handle, long written) : IUploadParts
{
    private bool _directoryFlushed;

    public long Written { get; private set; } = written;

    public ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var file = handle ?? throw new InvalidOperationException("This upload's bytes are already in the blob store.");
        try
        {
            RandomAccess.Write(file, data.Span, Written);
        }
        catch (IOException e) when (Durability.IsDiskFull(e))
        {
            file.Dispose();
            throw StorageErrors.Full(e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        Written += data.Length;
        return ValueTask.CompletedTask;
    }

    public async Task<bool> FlushAsync(long offset, Func<string?, Task<bool>> record, CancellationToken cancellationToken)
    {
        try
        {
            Durability.FlushFile(handle ?? throw new InvalidOperationException("This upload's bytes are already in the blob store."));
            if (!_directoryFlushed)
            {
                Durability.FlushDirectory(Path.GetDirectoryName(path)!); // a new file is not durable until its directory entry is
                _directoryFlushed = true;
            }
        }
        catch (IOException e) when (Durability.IsDiskFull(e))
        {
            throw StorageErrors.Full(e);
        }
        return await record(null).ConfigureAwait(false);
    }

    public async Task PublishAsync(IBlobStore blobs, BlobHashes hashes, CancellationToken cancellationToken)
    {
        handle?.Dispose();
        if (File.Exists(path))
        {
            await blobs.PutFileAsync(path, hashes, cancellationToken).ConfigureAwait(false);
        }
        else if (!await blobs.ExistsAsync(hashes.Sha256, cancellationToken).ConfigureAwait(false))
        {
            throw new DocEngineException(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
                "The server lost the bytes of this upload while storing them: upload the file again, and report this to the portal's operators.");
        }
    }

    public Task<Stream> OpenReadAsync(long from, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16) { Position = from };
        return Task.FromResult<Stream>(new BoundedStream(file, Written - from));
    }

    public ValueTask DisposeAsync()
    {
        handle?.Dispose();
        return ValueTask.CompletedTask;
    }
}
