using System.Runtime.CompilerServices;

namespace DocEngine.Core.Storage;

/// <summary>Reads a stored document, or a byte range of it, always checking the whole blob against its SHA-256.</summary>
public sealed class DocumentReader(IBlobStore blobs)
{
    /// <summary>Default size of the pieces <see cref="ReadAsync"/> yields: 1 MiB.</summary>
    public const int DefaultChunkSize = 1 << 20;

    /// <summary>Copies a blob into a new file at <paramref name="path"/> (for tools that read files), checking its hash on the way.</summary>
    public async Task CopyToFileAsync(string sha256, long sizeBytes, string path, CancellationToken cancellationToken)
    {
        await using var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        await foreach (var piece in ReadAsync(sha256, sizeBytes, 0, 0, cancellationToken).ConfigureAwait(false))
        {
            await copy.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
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
    /// <paramref name="length"/> is 0. Each piece is valid only until the next is requested. Bytes outside the range are still
    /// read, because the hash covers the whole blob; a mismatch throws <see cref="ErrorKind.DataLoss"/> after the last piece.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(DocumentRecord document, long offset, long length, CancellationToken cancellationToken) =>
        ReadAsync(document.Sha256, document.SizeBytes, offset, length, cancellationToken);

    /// <summary>The same, for any stored blob of known hash and size (documents and renditions).</summary>
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
        var buffer = DocumentBuffers.Rent(DefaultChunkSize);
        try
        {
            await using var stream = await blobs.OpenReadAsync(sha256, cancellationToken).ConfigureAwait(false);
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
            if (position != sizeBytes)
            {
                throw new DocEngineException(ErrorKind.DataLoss, "BLOB_SIZE_MISMATCH",
                    "The stored bytes of this document have the wrong size; do not use this copy, upload the file again and report this to the portal's operators.");
            }
        }
        finally
        {
            DocumentBuffers.Return(buffer);
        }
    }
}
