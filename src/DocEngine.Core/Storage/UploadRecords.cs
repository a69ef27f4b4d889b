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

/// <summary>An upload session as stored. <see cref="CommittedOffset"/> is always durable on disk.</summary>
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
    string? Failure = null);
