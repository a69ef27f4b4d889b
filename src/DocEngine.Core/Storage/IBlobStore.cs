namespace DocEngine.Core.Storage;

/// <summary>
/// Content-addressed storage of document bytes, keyed by lowercase hex SHA-256. A blob is written once; identical content
/// is stored once. Reads are raw: <see cref="DocumentReader"/> checks what it reads against the blob's hashes.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Takes ownership of a finished local file and stores it under <see cref="BlobHashes.Sha256"/>, with its block hashes.
    /// The source path is gone afterwards.
    /// </summary>
    Task PutFileAsync(string sourcePath, BlobHashes hashes, CancellationToken cancellationToken);

    /// <summary>True when a blob with this hash is stored.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// The raw bytes of [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>), or to the end when
    /// <paramref name="length"/> is 0, reading only that range; DATA_LOSS BLOB_MISSING when the blob is gone.
    /// </summary>
    Task<Stream> OpenReadAsync(string sha256, long offset, long length, CancellationToken cancellationToken);

    /// <summary>The blob's block hashes (<see cref="BlobHashes.BlockSize"/> blocks), or null when none are stored (one block, or stored before they were kept).</summary>
    Task<IReadOnlyList<string>?> GetBlockHashesAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>The blob as a file on this node, when the store keeps files (no copy needed); null otherwise.</summary>
    string? LocalPath(string sha256);
}
