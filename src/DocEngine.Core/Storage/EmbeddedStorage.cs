namespace DocEngine.Core.Storage;

/// <summary>
/// The default storage, needing nothing installed: SQLite metadata at <c>{data}/docengine.db</c>, blobs under
/// <c>{data}/blobs/sha256</c>, upload part files under <c>{data}/uploads</c>, processing scratch under <c>{data}/work</c>.
/// </summary>
public sealed class EmbeddedStorage
{
    private EmbeddedStorage(string root, SqliteMetadataStore metadata)
    {
        Root = root;
        Metadata = metadata;
        Blobs = new FileSystemBlobStore(Path.Combine(root, "blobs", "sha256"));
        UploadsDirectory = Path.Combine(root, "uploads");
        Directory.CreateDirectory(UploadsDirectory);
        WorkDirectory = Path.Combine(root, "work");
        Directory.CreateDirectory(WorkDirectory);
        foreach (var leftover in Directory.EnumerateFiles(WorkDirectory))
        {
            File.Delete(leftover); // scratch files of work a crash interrupted
        }
    }

    /// <summary>The data directory, as a full path.</summary>
    public string Root { get; }

    /// <summary>Applications, documents and upload sessions.</summary>
    public SqliteMetadataStore Metadata { get; }

    /// <summary>Document bytes by SHA-256.</summary>
    public FileSystemBlobStore Blobs { get; }

    /// <summary>Where upload part files live; on the same file system as the blobs, so completion is a rename.</summary>
    public string UploadsDirectory { get; }

    /// <summary>Scratch space for processing (copies of large sources, outputs before they become blobs); emptied at start.</summary>
    public string WorkDirectory { get; }

    /// <summary>Opens (creating when missing) the storage under <paramref name="dataDirectory"/>.</summary>
    public static async Task<EmbeddedStorage> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        var metadata = await SqliteMetadataStore.OpenAsync(Path.Combine(root, "docengine.db"), cancellationToken).ConfigureAwait(false);
        return new EmbeddedStorage(root, metadata);
    }
}
