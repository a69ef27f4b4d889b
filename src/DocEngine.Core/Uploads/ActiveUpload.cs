using System.Security.Cryptography;
using DocEngine.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace DocEngine.Core.Uploads;

/// <summary>
/// The in-memory side of one upload session: its part file handle and the running SHA-256 of the bytes in it.
/// Only the holder of <see cref="Gate"/> touches anything else here. After a restart or a failed write the state is
/// rebuilt from disk: the part file is cut back to the durable offset and the hash recomputed over it.
/// </summary>
internal sealed class ActiveUpload(string id, string partPath) : IDisposable
{
    private SafeFileHandle? _file;
    private IncrementalHash? _hash;
    private bool _directoryFlushed;

    public string Id { get; } = id;
    public string PartPath { get; } = partPath;
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The session as last stored; null until first loaded.</summary>
    public UploadRecord? Record { get; set; }

    /// <summary>Bytes in the part file that the hash covers; at least <see cref="UploadRecord.CommittedOffset"/>.</summary>
    public long Written { get; private set; }

    public long LastCommitTimestamp { get; set; }
    public long LastUsedTimestamp { get; set; }

    /// <summary>True while the part file is open and the hash covers <see cref="Written"/> bytes.</summary>
    public bool IsReady => _file is not null && _hash is not null;

    /// <summary>Set under the gate when the cache drops this entry; a caller that then acquires the gate must look again.</summary>
    public bool Evicted { get; set; }

    /// <summary>Opens the part file at the durable offset, discarding anything past it, and rebuilds the hash when needed.</summary>
    public async ValueTask PrepareAsync(long committedOffset, CancellationToken cancellationToken)
    {
        if (IsReady)
        {
            return;
        }
        Close();
        _file = File.OpenHandle(PartPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var length = RandomAccess.GetLength(_file);
        if (length < committedOffset)
        {
            Close();
            throw new DocEngineException(ErrorKind.DataLoss, "UPLOAD_DATA_MISSING",
                "The server lost bytes of this upload that it had acknowledged: cancel it and upload the file again, and report this to the portal's operators.");
        }
        if (length > committedOffset)
        {
            RandomAccess.SetLength(_file, committedOffset); // bytes past the last commit were never acknowledged
        }
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = DocumentBuffers.Rent(DocumentReader.DefaultChunkSize);
        try
        {
            for (long position = 0; position < committedOffset;)
            {
                var want = (int)Math.Min(DocumentReader.DefaultChunkSize, committedOffset - position);
                var read = await RandomAccess.ReadAsync(_file, buffer.AsMemory(0, want), position, cancellationToken).ConfigureAwait(false);
                _hash.AppendData(buffer, 0, read);
                position += read;
            }
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
        Written = committedOffset;
    }

    /// <summary>Appends at <see cref="Written"/> and extends the hash. A failed write leaves the state closed, to be rebuilt.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(_file!, data, Written);
        }
        catch
        {
            Close();
            throw;
        }
        _hash!.AppendData(data);
        Written += data.Length;
    }

    /// <summary>The open part file; commits capture it so a concurrent <see cref="Close"/> cannot pull it from under them.</summary>
    public SafeFileHandle Handle => _file ?? throw new InvalidOperationException("The part file is not open.");

    /// <summary>Flushes the part file's directory entry the first time it is needed: a new file is not durable until then.</summary>
    public void FlushDirectoryOnce()
    {
        if (!_directoryFlushed)
        {
            Durability.FlushDirectory(Path.GetDirectoryName(PartPath)!);
            _directoryFlushed = true;
        }
    }

    /// <summary>The SHA-256 of the bytes written so far, lowercase hex.</summary>
    public string CurrentSha256() => Convert.ToHexStringLower(_hash!.GetCurrentHash());

    /// <summary>Closes the file and forgets the hash; the next <see cref="PrepareAsync"/> rebuilds both.</summary>
    public void Close()
    {
        _file?.Dispose();
        _file = null;
        _hash?.Dispose();
        _hash = null;
    }

    /// <summary>Closes and deletes the part file.</summary>
    public void DeleteData()
    {
        Close();
        File.Delete(PartPath);
    }

    /// <summary>Closes the file. The gate is left alone: a caller may still be waiting on it and will see <see cref="Evicted"/>.</summary>
    public void Dispose() => Close();
}
