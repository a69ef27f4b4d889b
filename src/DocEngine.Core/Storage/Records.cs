namespace DocEngine.Core.Storage;

/// <summary>An application as stored.</summary>
public sealed record ApplicationRecord(
    string Tenant,
    string Id,
    string DisplayName,
    DateTimeOffset CreateTime,
    DateTimeOffset? SubmitTime,
    int DocumentCount);

/// <summary>A stored document's metadata. The bytes live in the blob store under <see cref="Sha256"/>.</summary>
public sealed record DocumentRecord(
    string Tenant,
    string ApplicationId,
    string Id,
    string Filename,
    string MediaType,
    long SizeBytes,
    string Sha256,
    DateTimeOffset CreateTime,
    bool Supplementary,
    int Version,
    string UploadId);

/// <summary>One page of a listing and the token for the next one (empty on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken);

/// <summary>A stored result of processing, filed under its first source document.</summary>
public sealed record RenditionRecord(
    string Tenant,
    string ApplicationId,
    string DocumentId,
    string Id,
    IReadOnlyList<string> Sources,
    string MediaType,
    long SizeBytes,
    string Sha256,
    int Pages,
    int Width,
    int Height,
    ProcessingReport Report,
    DateTimeOffset CreateTime);

/// <summary>A signed receipt as stored: the JWS and the chain facts taken from its payload.</summary>
public sealed record ReceiptRecord(
    string Tenant,
    string ApplicationId,
    string DocumentId,
    long Sequence,
    string Jws,
    string Sha256,
    string? PreviousSha256,
    string KeyId,
    DateTimeOffset IssueTime);

/// <summary>What happened to an application, when.</summary>
public enum ApplicationEventKind
{
    Created, UploadStarted, DocumentReceived, SupplementaryDocumentReceived, Submitted, RenditionMade, ReceiptIssued,
    /// <summary>A document's bytes (or its pages, as previews) were read: the audit trail of issue 17.</summary>
    DocumentRead,
    /// <summary>An applicant access token was minted for the application.</summary>
    AccessTokenCreated,
    /// <summary>An applicant access token of the application was revoked.</summary>
    AccessTokenRevoked,
}

/// <summary>
/// One event of an application's timeline, derived from what is stored. <paramref name="Actor"/> says who did it and
/// <paramref name="AccessToken"/> with which applicant token, for audit events; both are empty where nobody is recorded.
/// </summary>
public sealed record ApplicationEventRecord(DateTimeOffset Time, ApplicationEventKind Kind, string Resource, string Description, string Actor = "", string AccessToken = "");

/// <summary>A server-side batch and its counts (kept current as items finish).</summary>
public sealed record BatchRecord(
    string Tenant,
    string Id,
    string ApplicationId,
    string Operations,
    long MaxBytes,
    bool Completed,
    DateTimeOffset CreateTime,
    DateTimeOffset? CompleteTime,
    long Total,
    long Ok,
    long Refused,
    long Failed,
    long Attention = 0)
{
    /// <summary>Documents with an outcome: ok, attention, refused or failed.</summary>
    public long Done => Ok + Attention + Refused + Failed;
}

/// <summary>One document of a batch, as handed to a worker under a lease.</summary>
public sealed record BatchItemRecord(string BatchId, long Sequence, string Tenant, string ApplicationId, string DocumentId, string Filename, string Sha256, long SizeBytes,
    string MediaType);
