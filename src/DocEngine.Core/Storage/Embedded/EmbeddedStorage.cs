namespace DocEngine.Core.Storage.Embedded;

/// <summary>
/// The default storage, needing nothing installed: SQLite metadata at <c>{data}/docengine.db</c>, blobs under
/// <c>{data}/blobs/sha256</c>, upload part files under <c>{data}/uploads</c>, receipt keys under <c>{data}/receipt-keys</c>.
/// One server process owns it.
/// </summary>
public sealed class EmbeddedStorage : IStorageProbe
{
    private EmbeddedStorage(string root, SqliteMetadataStore metadata)
    {
        Root = root;
        Metadata = metadata;
        Blobs = new FileSystemBlobStore(Path.Combine(root, "blobs", "sha256"));
        Parts = new FileUploadPartStore(Path.Combine(root, "uploads"));
        ReceiptKeys = new FileReceiptKeyStore(Path.Combine(root, "receipt-keys"));
    }

    /// <summary>The data directory, as a full path.</summary>
    public string Root { get; }

    /// <summary>Applications, documents, upload sessions, renditions, receipts and batches.</summary>
    public SqliteMetadataStore Metadata { get; }

    /// <summary>Document bytes by SHA-256.</summary>
    public FileSystemBlobStore Blobs { get; }

    /// <summary>Upload bytes in flight; on the same file system as the blobs, so completion is a rename.</summary>
    public FileUploadPartStore Parts { get; }

    /// <summary>Counted in this process, the only one using the store.</summary>
    public InMemoryLimitStore Limits { get; } = new();

    /// <summary>Receipt signing keys generated when none are configured.</summary>
    public FileReceiptKeyStore ReceiptKeys { get; }

    /// <inheritdoc />
    public string Name => "embedded storage";

    /// <summary>Opens (creating when missing) the storage under <paramref name="dataDirectory"/>.</summary>
    public static async Task<EmbeddedStorage> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        var metadata = await SqliteMetadataStore.OpenAsync(Path.Combine(root, "docengine.db"), cancellationToken).ConfigureAwait(false);
        return new EmbeddedStorage(root, metadata);
    }

    /// <inheritdoc />
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await Metadata.GetUploadAsync(null, "health-probe", cancellationToken).ConfigureAwait(false);
        await Parts.ProbeAsync(cancellationToken).ConfigureAwait(false);
    }
}
