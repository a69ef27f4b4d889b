namespace DocEngine.Core.Storage;

/// <summary>
/// Blobs as read-only files under <c>{root}/ab/cd/abcd…</c> (two levels of SHA-256 fan-out keep directories
/// small). A blob appears by atomic rename of a flushed file, followed by a directory flush.
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
    /// reading it. One file per hash either way.
    /// </remarks>
    public Task PutFileAsync(string sourcePath, string sha256, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = PathOf(sha256);
        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            Durability.FlushDirectory(Path.GetDirectoryName(directory)!);
            Durability.FlushDirectory(_root);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sourcePath, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }
        File.Move(sourcePath, target, overwrite: true);
        Durability.FlushDirectory(directory);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(PathOf(sha256)));
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FileStream file;
        try
        {
            file = new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DocEngineException(ErrorKind.DataLoss, "BLOB_MISSING",
                "The stored bytes of this document are missing on the server; upload the file again and report this to the portal's operators.");
        }
        return Task.FromResult<Stream>(new HashCheckingStream(file, sha256));
    }

    internal string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Blob keys are 64 lowercase hex characters.", nameof(sha256));
        }
        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }
}
