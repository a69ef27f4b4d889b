namespace DocEngine.Core.Storage.Embedded;

/// <summary>
/// Blobs as read-only files under <c>{root}/ab/cd/abcd…</c> (two levels of SHA-256 fan-out keep directories small), each
/// with its block hashes in <c>abcd….blocks</c> when it has more than one block. A blob appears by atomic rename of a
/// flushed file, followed by a directory flush.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;

    /// <summary>Stores blobs under <paramref name="root"/>, creating it when missing.</summary>
    public FileSystemBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <inheritdoc />
    /// <remarks>
    /// When the blob already exists the fresh copy replaces it by rename: the content is the same by hash, the new copy
    /// was hashed as it arrived, and an old copy that rotted on disk is healed for free. Readers holding the old file keep
    /// reading it. One file per hash either way. The block list goes first, so a blob never exists without it.
    /// </remarks>
    public async Task PutFileAsync(string sourcePath, BlobHashes hashes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = PathOf(hashes.Sha256);
        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            Durability.FlushDirectory(Path.GetDirectoryName(directory)!);
            Durability.FlushDirectory(_root);
        }
        if (hashes.Blocks.Count > 1)
        {
            var blocks = target + ".blocks";
            var temporary = blocks + "." + Ids.New() + ".tmp";
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 12))
            {
                await file.WriteAsync(hashes.EncodeBlocks(), cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, blocks, overwrite: true);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sourcePath, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }
        File.Move(sourcePath, target, overwrite: true);
        Durability.FlushDirectory(directory);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(PathOf(sha256)));
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string sha256, long offset, long length, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FileStream file;
        try
        {
            file = new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw StorageErrors.BlobMissing();
        }
        file.Position = Math.Min(offset, file.Length);
        return Task.FromResult<Stream>(length > 0 ? new BoundedStream(file, length) : file);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>?> GetBlockHashesAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            return BlobHashes.DecodeBlocks(await File.ReadAllBytesAsync(PathOf(sha256) + ".blocks", cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public string? LocalPath(string sha256) => PathOf(sha256);

    internal string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Blob keys are 64 lowercase hex characters.", nameof(sha256));
        }
        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }
}
