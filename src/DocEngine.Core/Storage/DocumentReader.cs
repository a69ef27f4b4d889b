using System.Runtime.CompilerServices;

namespace DocEngine.Core.Storage;

/// <summary>
/// Reads stored blobs, always checking what it hands out: a whole blob against its SHA-256 as it streams, a range against
/// the SHA-256s of the blocks it touches (reading only those blocks), and, for a blob stored without block hashes, the
/// whole blob even for a range.
/// </summary>
public sealed class DocumentReader(IBlobStore blobs)
{
    /// <summary>Default size of the pieces <see cref="ReadAsync(string, long, long, long, CancellationToken)"/> yields: 1 MiB.</summary>
    public const int DefaultChunkSize = 1 << 20;

    /// <summary>The store it reads from.</summary>
    public IBlobStore Blobs => blobs;

    /// <summary>Copies a blob into a new file at <paramref name="path"/> (for tools that read files), checking its hash on the way.</summary>
    public async Task CopyToFileAsync(string sha256, long sizeBytes, string path, CancellationToken cancellationToken)
    {
        await using var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        await foreach (var piece in ReadAsync(sha256, sizeBytes, 0, 0, cancellationToken).ConfigureAwait(false))
        {
            await copy.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The blob as a local file, checked against its hash, for a tool or a worker process that reads files: the store's own
    /// file when it keeps files (read once to check it, never copied), otherwise a copy in <paramref name="workDirectory"/>
    /// that is deleted when the result is disposed.
    /// </summary>
    public async Task<LocalBlobFile> OpenLocalFileAsync(string sha256, long sizeBytes, string workDirectory, CancellationToken cancellationToken)
    {
        if (blobs.LocalPath(sha256) is { } stored && File.Exists(stored))
        {
            await foreach (var _ in ReadAsync(sha256, sizeBytes, 0, 0, cancellationToken).ConfigureAwait(false))
            {
                // reading is the check
            }
            return new LocalBlobFile(stored, owned: false);
        }
        var copy = Path.Combine(workDirectory, Ids.New() + ".blob");
        try
        {
            await CopyToFileAsync(sha256, sizeBytes, copy, cancellationToken).ConfigureAwait(false);
            return new LocalBlobFile(copy, owned: true);
        }
        catch
        {
            File.Delete(copy);
            throw;
        }
    }

    /// <summary>A whole blob in memory, checked against its hash; for callers that bound <paramref name="sizeBytes"/> first.</summary>
    public async Task<byte[]> ReadAllAsync(string sha256, long sizeBytes, CancellationToken cancellationToken)
    {
        var bytes = new byte[sizeBytes];
        var position = 0;
        await foreach (var piece in ReadAsync(sha256, sizeBytes, 0, 0, cancellationToken).ConfigureAwait(false))
        {
            piece.CopyTo(bytes.AsMemory(position));
            position += piece.Length;
        }
        return bytes;
    }

    /// <summary>
    /// Copies a stored blob into something seekable that decoders can jump around in, checking its hash on the way:
    /// memory up to 64 MiB, otherwise a temporary file in <paramref name="workDirectory"/> deleted on close.
    /// </summary>
    public async Task<Stream> OpenSeekableAsync(string sha256, long sizeBytes, string workDirectory, CancellationToken cancellationToken)
    {
        Stream copy = sizeBytes <= 64 << 20
            ? new MemoryStream((int)sizeBytes)
            : new FileStream(Path.Combine(workDirectory, Ids.New() + ".src"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            await foreach (var piece in ReadAsync(sha256, sizeBytes, 0, 0, cancellationToken).ConfigureAwait(false))
            {
                await copy.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
            }
            copy.Position = 0;
            return copy;
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Yields the bytes of [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>), or to the end when
    /// <paramref name="length"/> is 0. Each piece is valid only until the next is requested. See
    /// <see cref="ReadAsync(string, long, long, long, CancellationToken)"/>.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(DocumentRecord document, long offset, long length, CancellationToken cancellationToken) =>
        ReadAsync(document.Sha256, document.SizeBytes, offset, length, cancellationToken);

    /// <summary>
    /// The same, for any stored blob of known hash and size (documents and renditions). The whole blob streams through its
    /// SHA-256; a range reads the blocks it touches, each checked before any of it is handed out; a mismatch is
    /// <see cref="ErrorKind.DataLoss"/>.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(
        string sha256, long sizeBytes, long offset, long length, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (offset < 0 || length < 0 || offset > sizeBytes || (length > 0 && offset + length > sizeBytes))
        {
            throw new DocEngineException(ErrorKind.OutOfRange, "RANGE_OUTSIDE_DOCUMENT",
                $"The document has {sizeBytes} bytes: ask for a range inside it (offset and length not negative, offset + length at most the size).")
            { Field = offset < 0 || offset > sizeBytes ? "offset" : "length" };
        }
        var end = length == 0 ? sizeBytes : offset + length;
        var whole = offset == 0 && end == sizeBytes;
        var blocks = whole || BlobHashes.BlockCount(sizeBytes) <= 1 ? null : await blobs.GetBlockHashesAsync(sha256, cancellationToken).ConfigureAwait(false);
        var pieces = blocks is not null && blocks.Count == BlobHashes.BlockCount(sizeBytes)
            ? ReadBlocksAsync(sha256, sizeBytes, offset, end, blocks, cancellationToken)
            : ReadWholeAsync(sha256, sizeBytes, offset, end, cancellationToken);
        await foreach (var piece in pieces.ConfigureAwait(false))
        {
            yield return piece;
        }
    }

    /// <summary>Streams the whole blob through its SHA-256, yielding the part inside [offset, end).</summary>
    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadWholeAsync(string sha256, long sizeBytes, long offset, long end,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = DocumentBuffers.Rent(DefaultChunkSize);
        try
        {
            await using var stream = new HashCheckingStream(await blobs.OpenReadAsync(sha256, 0, 0, cancellationToken).ConfigureAwait(false), sha256);
            long position = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, DefaultChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                var from = Math.Max(position, offset);
                var to = Math.Min(position + read, end);
                if (to > from)
                {
                    yield return buffer.AsMemory((int)(from - position), (int)(to - from));
                }
                position += read;
            }
            CheckSize(position, sizeBytes);
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
    }

    /// <summary>Reads only the blocks [offset, end) touches, checks each against its stored hash, then yields its part of the range.</summary>
    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadBlocksAsync(string sha256, long sizeBytes, long offset, long end, IReadOnlyList<string> blocks,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int block = BlobHashes.BlockSize;
        var first = offset / block;
        var last = end == offset ? first : (end - 1) / block;
        var start = first * block;
        var buffer = DocumentBuffers.Rent(block);
        try
        {
            await using var stream = await blobs.OpenReadAsync(sha256, start, Math.Min(sizeBytes, (last + 1) * block) - start, cancellationToken).ConfigureAwait(false);
            for (var index = first; index <= last; index++)
            {
                var blockStart = index * block;
                var blockLength = (int)Math.Min(block, sizeBytes - blockStart);
                var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, blockLength), blockLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                CheckSize(blockStart + read, blockStart + blockLength);
                if (BlobHashes.HashBlock(buffer.AsSpan(0, blockLength)) != blocks[(int)index])
                {
                    throw HashCheckingStream.Corrupt();
                }
                var from = (int)(Math.Max(offset, blockStart) - blockStart);
                var to = (int)(Math.Min(end, blockStart + blockLength) - blockStart);
                for (var piece = from; piece < to; piece += DefaultChunkSize)
                {
                    yield return buffer.AsMemory(piece, Math.Min(DefaultChunkSize, to - piece));
                }
            }
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
    }

    private static void CheckSize(long actual, long expected)
    {
        if (actual != expected)
        {
            throw new DocEngineException(ErrorKind.DataLoss, "BLOB_SIZE_MISMATCH",
                "The stored bytes of this document have the wrong size; do not use this copy, upload the file again and report this to the portal's operators.");
        }
    }
}

/// <summary>A stored blob as a local file (see <see cref="DocumentReader.OpenLocalFileAsync"/>); a copy made for the caller is deleted on dispose.</summary>
public sealed class LocalBlobFile(string path, bool owned) : IDisposable
{
    /// <summary>The file to read; never write to it.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public void Dispose()
    {
        if (owned)
        {
            File.Delete(Path);
        }
    }
}
