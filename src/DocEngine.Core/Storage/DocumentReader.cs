using System.Runtime.CompilerServices;

namespace DocEngine.Core.Storage;

/// <summary>Reads a stored document, or a byte range of it, always checking the whole blob against its SHA-256.</summary>
public sealed class DocumentReader(IBlobStore blobs)
{
    /// <summary>Default size of the pieces <see cref="ReadAsync"/> yields: 1 MiB.</summary>
    public const int DefaultChunkSize = 1 << 20;

    /// <summary>
    /// Yields the bytes of [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>), or to the end when
    /// <paramref name="length"/> is 0. Each piece is valid only until the next is requested. Bytes outside the range are still
    /// read, because the hash covers the whole blob; a mismatch throws <see cref="ErrorKind.DataLoss"/> after the last piece.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(
        DocumentRecord document, long offset, long length, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (offset < 0 || length < 0 || offset > document.SizeBytes || (length > 0 && offset + length > document.SizeBytes))
        {
            throw new DocEngineException(ErrorKind.OutOfRange, "RANGE_OUTSIDE_DOCUMENT",
                $"The document has {document.SizeBytes} bytes: ask for a range inside it (offset and length not negative, offset + length at most the size).")
            { Field = offset < 0 || offset > document.SizeBytes ? "offset" : "length" };
        }
        var end = length == 0 ? document.SizeBytes : offset + length;
        var buffer = DocumentBuffers.Rent(DefaultChunkSize);
        try
        {
            await using var stream = await blobs.OpenReadAsync(document.Sha256, cancellationToken).ConfigureAwait(false);
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
            if (position != document.SizeBytes)
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
