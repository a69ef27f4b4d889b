namespace DocEngine.Core.Uploads;

/// <summary>Limits and timings of resumable uploads. Every limit is enforced on bytes actually received.</summary>
public sealed class UploadOptions
{
    /// <summary>Largest file one upload may carry. Default 2 GiB: the point is to accept oversized files and shrink them.</summary>
    public long MaxUploadBytes { get; set; } = 2L << 30;

    /// <summary>Largest single chunk. Default 4 MiB, the gRPC default message size.</summary>
    public int MaxChunkBytes { get; set; } = 4 << 20;

    /// <summary>Upload calls one tenant may have in flight at once. Default 64.</summary>
    public int MaxConcurrentUploadsPerTenant { get; set; } = 64;

    /// <summary>An open session untouched for this long is deleted. Default 24 hours; each append moves it forward.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired sessions and stray part files are collected. Default 5 minutes.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A stream makes its offset durable after this many new bytes. Default 8 MiB.</summary>
    public long CommitEveryBytes { get; set; } = 8 << 20;

    /// <summary>A stream makes its offset durable at least this often while bytes arrive. Default 1 second.</summary>
    public TimeSpan CommitEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sessions this node keeps open in memory between calls (each holds its part file open and its running hash).
    /// Past this, the least recently used idle ones are closed; they stay open in the store and reopen on their next
    /// call. Bounds the open files that many started, unfinished uploads can take. Default 256.
    /// </summary>
    public int MaxSessionsInMemory { get; set; } = 256;

    /// <summary>How long a call waits for another call that is still writing the same upload. Default 15 seconds.</summary>
    public TimeSpan SessionLockWait { get; set; } = TimeSpan.FromSeconds(15);
}
