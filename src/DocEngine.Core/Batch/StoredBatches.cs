using System.Text.Json;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Batch;

/// <summary>
/// Server-side batches over stored documents. Starting one writes a work item per document into the metadata store
/// (never a list in memory); workers lease items a few at a time, run <see cref="BatchWork"/> on the stored blob, and
/// record each outcome once. Everything lives in the store, so a batch survives a restart: leases left by the dead
/// process are released at start (one node), or expire (several nodes, see Batch/README.md). Step results go to a
/// content-addressed result folder under the data directory, so the same document and options are never worked twice.
/// </summary>
public sealed class StoredBatches(IBatchWorkStore store, IApplicationStore applications, FileSystemBlobStore blobs, IBatchResultStore results,
    Func<IReadOnlyList<BatchOp>, long?, BatchOptions> optionsFor, TimeProvider time)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly string _owner = Guid.NewGuid().ToString("n");
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Starts a batch over the tenant's documents, or one application's.</summary>
    public async Task<BatchRecord> StartAsync(string tenant, string? applicationId, IReadOnlyList<BatchOp> ops, long? maxBytes, CancellationToken cancellationToken)
    {
        if (applicationId is not null && await applications.GetApplicationAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new DocEngineException(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
                $"There is no application 'applications/{applicationId}': check the name, or list your applications.") { Field = "parent" };
        }
        optionsFor(ops, maxBytes).Validate();
        var batch = await store.CreateBatchAsync(new BatchRecord(tenant, Ids.New(), applicationId ?? "", string.Join(",", ops.Select(o => o.ToString().ToLowerInvariant())),
            maxBytes ?? 0, false, time.GetUtcNow(), null, 0, 0, 0, 0), cancellationToken).ConfigureAwait(false);
        _wake.Release();
        return batch;
    }

    /// <summary>The batch, or NOT_FOUND.</summary>
    public async Task<BatchRecord> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetBatchAsync(tenant, id, cancellationToken).ConfigureAwait(false)
        ?? throw new DocEngineException(ErrorKind.NotFound, "BATCH_NOT_FOUND", $"There is no batch 'batches/{id}': check the name StartBatch returned.") { Field = "name" };

    /// <summary>Works until cancelled: every running batch, oldest first, <paramref name="concurrency"/> documents at a time.</summary>
    public async Task RunAsync(int concurrency, CancellationToken cancellationToken)
    {
        await store.ReleaseAllLeasesAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            var worked = false;
            foreach (var batch in await store.ListRunningBatchesAsync(cancellationToken).ConfigureAwait(false))
            {
                var ops = batch.Operations.Split(',').Select(o => Enum.Parse<BatchOp>(o, ignoreCase: true)).ToList();
                using var work = new BatchWork(optionsFor(ops, batch.MaxBytes > 0 ? batch.MaxBytes : null), results);
                while (!cancellationToken.IsCancellationRequested)
                {
                    var now = time.GetUtcNow();
                    var items = await store.ClaimItemsAsync(batch.Id, _owner, concurrency, now, now + Lease, cancellationToken).ConfigureAwait(false);
                    if (items.Count == 0)
                    {
                        break;
                    }
                    worked = true;
                    await Task.WhenAll(items.Select(item => RunItemAsync(work, item, cancellationToken))).ConfigureAwait(false);
                }
                await store.CompleteBatchIfDoneAsync(batch.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            if (!worked)
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunItemAsync(BatchWork work, BatchItemRecord item, CancellationToken cancellationToken)
    {
        var name = $"applications/{item.ApplicationId}/documents/{item.DocumentId}";
        // Sha256 left null: the blob is hashed as it is read, so bytes that rotted on disk are caught, not processed.
        var result = await work.RunAsync(new BatchInput(name, blobs.PathOf(item.Sha256), item.SizeBytes), cancellationToken).ConfigureAwait(false);
        var line = result.Line;
        var (outcome, message) = line.Sha256 is { } actual && actual != item.Sha256
            ? (BatchOutcome.Failed, "The stored bytes of this document no longer match their SHA-256; it was not processed (report this to the operators).")
            : (line.Outcome, line.Message);
        await store.CompleteItemAsync(item, (int)outcome, message, JsonSerializer.Serialize(line.Outputs), line.Millis, cancellationToken).ConfigureAwait(false);
    }
}
