
namespace DocEngine.Core.Storage;

/// <summary>Applications of a tenant. Every lookup is scoped by tenant; another tenant's application is simply absent.</summary>
public interface IApplicationStore
{
    /// <summary>Creates an application; <see cref="ErrorKind.AlreadyExists"/> when the tenant already has that id.</summary>
    Task<ApplicationRecord> CreateApplicationAsync(string tenant, string id, string displayName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The application, or null when the tenant has none with that id.</summary>
    Task<ApplicationRecord?> GetApplicationAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>The tenant's applications, oldest first.</summary>
    Task<Page<ApplicationRecord>> ListApplicationsAsync(string tenant, int pageSize, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Sets the submit time unless already set; null when the application does not exist.</summary>
    Task<ApplicationRecord?> SubmitApplicationAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Stored documents' metadata, scoped by tenant.</summary>
public interface IDocumentStore
{
    /// <summary>The document, or null when the tenant has none with that name.</summary>
    Task<DocumentRecord?> GetDocumentAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken);

    /// <summary>An application's documents in the order received; null when the application does not exist.</summary>
    Task<Page<DocumentRecord>?> ListDocumentsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken);
}

/// <summary>Upload sessions: their durable offsets and their life cycle.</summary>
public interface IUploadSessionStore
{
    /// <summary>Records a new open session.</summary>
    Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    /// <summary>The session, or null. A non-null <paramref name="tenant"/> hides other tenants' sessions.</summary>
    Task<UploadRecord?> GetUploadAsync(string? tenant, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Durably records a new committed offset with its expiry, hash state and part state, provided the session is still open
    /// at <paramref name="previousOffset"/>; false when it is not (another writer moved it on). The bytes are already durable.
    /// </summary>
    Task<bool> SaveCommitAsync(string id, long previousOffset, UploadCommit commit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the session's writer lock, waiting up to <paramref name="wait"/>; null when another call (on any node sharing
    /// this store) still holds it. Disposing releases it; so does the death of the holder's process.
    /// </summary>
    Task<IAsyncDisposable?> LockUploadAsync(string id, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Moves a session to a final state (cancelled, expired or failed), or to completing with its hash.</summary>
    Task SetUploadStateAsync(string id, UploadState state, string? sha256OrFailure, CancellationToken cancellationToken);

    /// <summary>In one transaction, creates the document and marks the session completed.</summary>
    Task<DocumentRecord> CompleteUploadAsync(UploadRecord upload, string documentId, string sha256, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Open sessions whose expiry has passed, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<UploadRecord>> ListExpiredUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}

/// <summary>Renditions (results of processing), scoped by tenant.</summary>
public interface IRenditionStore
{
    /// <summary>The rendition, or null when none is stored under that key.</summary>
    Task<RenditionRecord?> GetRenditionAsync(string tenant, string applicationId, string documentId, string id, CancellationToken cancellationToken);

    /// <summary>Stores a rendition; when one already exists under the key (a concurrent identical request), keeps the first.</summary>
    Task PutRenditionAsync(RenditionRecord rendition, CancellationToken cancellationToken);

    /// <summary>A document's renditions, oldest first.</summary>
    Task<IReadOnlyList<RenditionRecord>> ListRenditionsAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken);
}

/// <summary>Signed receipts, one per document, chained per application in issue order.</summary>
public interface IReceiptStore
{
    /// <summary>The document's receipt, or null when none has been issued.</summary>
    Task<ReceiptRecord?> GetReceiptAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken);

    /// <summary>The application's last receipt (the head of its chain), or null.</summary>
    Task<ReceiptRecord?> GetLastReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken);

    /// <summary>Adds a receipt; false when its sequence or document already has one (another issuer won the race).</summary>
    Task<bool> TryAddReceiptAsync(ReceiptRecord receipt, CancellationToken cancellationToken);

    /// <summary>An application's receipts in chain order.</summary>
    Task<Page<ReceiptRecord>> ListReceiptsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken);

    /// <summary>The application's documents that have no receipt yet, in the order they were received.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListDocumentsWithoutReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken);
}

/// <summary>An application's timeline: what happened to it, when, derived from everything stored about it.</summary>
public interface IApplicationEventStore
{
    /// <summary>Everything recorded about an application, as events in time order.</summary>
    Task<IReadOnlyList<ApplicationEventRecord>> ListApplicationEventsAsync(string tenant, string applicationId, CancellationToken cancellationToken);
}

/// <summary>
/// Server-side batches: their work items and states. Items are handed out under leases, so several workers — and, with a
/// PostgreSQL provider (<c>SELECT … FOR UPDATE SKIP LOCKED</c>), several DocEngine nodes — share one batch, and an
/// item whose worker died is handed out again when its lease expires (workers renew theirs while they work). See src/DocEngine.Core/Batch/README.md.
/// </summary>
public interface IBatchWorkStore
{
    /// <summary>Creates the batch with one item per stored document of the tenant (or application), in the store, not in memory.</summary>
    Task<BatchRecord> CreateBatchAsync(BatchRecord batch, CancellationToken cancellationToken);

    /// <summary>The batch, or null.</summary>
    Task<BatchRecord?> GetBatchAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>Batches with work left, across tenants.</summary>
    Task<IReadOnlyList<BatchRecord>> ListRunningBatchesAsync(CancellationToken cancellationToken);

    /// <summary>Leases up to <paramref name="count"/> items that are pending or whose lease expired before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<BatchItemRecord>> ClaimItemsAsync(string batchId, string owner, int count, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Records an item's outcome and counts it, once; a second completion of the same item changes nothing.</summary>
    Task CompleteItemAsync(BatchItemRecord item, int outcome, string message, string outputsJson, long millis, CancellationToken cancellationToken);

    /// <summary>Marks the batch completed when every item has an outcome.</summary>
    Task CompleteBatchIfDoneAsync(string batchId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Extends every lease <paramref name="owner"/> holds (a worker alive and busy keeps its items).</summary>
    Task RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Returns the items <paramref name="owner"/> leased to pending (a node restarting under the same name: they are its own).</summary>
    Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The queue's depth across running batches: items waiting for a worker, and items leased now (metrics).</summary>
    Task<(long Pending, long Leased)> CountOpenItemsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Concurrency slots counted per scope and shared by every node that shares the store, so a limit such as "64 uploads in
/// flight per tenant" holds across a cluster. A slot belongs to an owner (a node), which renews its slots while it lives;
/// a dead node's slots expire. Rate limits across nodes belong here too.
/// </summary>
public interface ILimitStore
{
    /// <summary>Takes a slot in <paramref name="scope"/> unless <paramref name="limit"/> live slots are taken already.</summary>
    Task<bool> TryTakeSlotAsync(string scope, string slotId, string owner, int limit, DateTimeOffset now, DateTimeOffset expireTime, CancellationToken cancellationToken);

    /// <summary>Gives a slot back; an unknown slot is fine.</summary>
    Task ReleaseSlotAsync(string scope, string slotId, CancellationToken cancellationToken);

    /// <summary>Moves the expiry of every slot <paramref name="owner"/> holds.</summary>
    Task RenewSlotsAsync(string owner, DateTimeOffset expireTime, CancellationToken cancellationToken);
}

/// <summary>
/// Receipt signing keys kept by the store when none are configured: files under the data directory (embedded), or one
/// table every node reads (PostgreSQL), so all nodes sign with one key and never generate their own.
/// </summary>
public interface IReceiptKeyStore
{
    /// <summary>The stored keys as PEM text (P-256 private keys), oldest first.</summary>
    Task<IReadOnlyList<string>> ListReceiptKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="pem"/> as the first key, unless a key is stored already (another node came first).</summary>
    Task AddFirstReceiptKeyAsync(string id, string pem, DateTimeOffset now, CancellationToken cancellationToken);
}
