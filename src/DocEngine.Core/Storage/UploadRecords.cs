namespace DocEngine.Core.Storage;

/// <summary>Where an upload session is in its life; the values match the contract's <c>UploadState</c>.</summary>
public enum UploadState
{
    /// <summary>Accepting chunks.</summary>
    Open = 1,
    /// <summary>Stored as a document.</summary>
    Completed = 2,
    /// <summary>Cancelled by the client; bytes deleted.</summary>
    Cancelled = 3,
    /// <summary>Idle past its expiry; bytes deleted.</summary>
    Expired = 4,
    /// <summary>Refused, for example over the size limit; bytes deleted.</summary>
    Failed = 5,
    /// <summary>Hash checked and being moved into the blob store; shown to clients as open.</summary>
    Completing = 6,
}

/// <summary>An upload session as stored. <see cref="CommittedOffset"/> is always durable in the upload-part store.</summary>
public sealed record UploadRecord(
    string Tenant,
    string Id,
    string ApplicationId,
    string Filename,
    string MediaType,
    long? DeclaredSize,
    string? DeclaredSha256,
    long CommittedOffset,
    UploadState State,
    DateTimeOffset CreateTime,
    DateTimeOffset ExpireTime,
    string? Sha256 = null,
    string? DocumentId = null,
    string? Failure = null)
{
    /// <summary>The running hashes at <see cref="CommittedOffset"/> (<see cref="BlobHasher.Export"/>), so any node continues them without reading the bytes back.</summary>
    public byte[]? HashState { get; init; }

    /// <summary>The upload-part store's own record of where the committed bytes are (for S3: multipart parts and ETags, tail objects).</summary>
    public string? PartState { get; init; }
}

/// <summary>What one commit of an upload records, all at once.</summary>
/// <param name="Offset">The new committed offset: every byte before it is durable.</param>
/// <param name="ExpireTime">The session's new expiry.</param>
/// <param name="HashState">The running hashes at <paramref name="Offset"/>.</param>
/// <param name="PartState">The part store's state at <paramref name="Offset"/>.</param>
public sealed record UploadCommit(long Offset, DateTimeOffset ExpireTime, byte[]? HashState, string? PartState);
