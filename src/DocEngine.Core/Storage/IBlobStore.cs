namespace DocEngine.Core.Storage;

/// <summary>Content-addressed storage of document bytes, keyed by lowercase hex SHA-256.</summary>
public interface IBlobStore
{
    /// <summary>
    /// Takes ownership of a finished, flushed file and stores it under <paramref name="sha256"/>; identical content is
    /// stored once (dedupe). The source path is gone afterwards.
    /// </summary>
    Task PutFileAsync(string sourcePath, string sha256, CancellationToken cancellationToken);

    /// <summary>True when a blob with this hash is stored.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a blob. The stream hashes what is read and throws <see cref="ErrorKind.DataLoss"/> at the end
    /// when the bytes no longer match <paramref name="sha256"/>.
    /// </summary>
    Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken);
}
