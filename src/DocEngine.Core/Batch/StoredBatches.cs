using System.Text.Json;
using DocEngine.Core.Storage;

namespace DocEngine.Core.Batch;

/// <summary>
/// Server-side batches over stored documents. Starting one writes a work item per document into the metadata store
/// (never a list in memory); workers on every node lease items a few at a time, run <see cref="StoredBatchSteps"/> on each,
/// and record each outcome once. A worker renews its leases while it works; the items of a node that died are handed out
/// again when their leases lapse, and a node that restarts under the same name takes its own back at once.
/// See Batch/README.md.
/// </summary>
public sealed class StoredBatches(IBatchWorkStore store, IApplicationStore applications, StoredBatchSteps steps, StorageNode node, TimeSpan lease,
    TimeProvider time)
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>How long an item stays with a worker that stops renewing it.</summary>
    public TimeSpan Lease => lease;

    /// <summary>Starts a batch over the tenant's documents, or one application's.</summary>
    public async Task<BatchRecord> StartAsync(string tenant, string? applicationId, IReadOnlyList<BatchOp> ops, long? maxBytes, CancellationToken cancellationToken)
    {
        if (applicationId is not null && await applications.GetApplicationAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new DocEngineException(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
                $"There is no application 'applications/{applicationId}': check the name, or list your applications.") { Field = "parent" };
        }
        new BatchOptions { Ops = ops, MaxBytes = maxBytes }.Validate();
        var batch = await store.CreateBatchAsync(new BatchRecord(tenant, Ids.New(), applicationId ?? "", string.Join(",", ops.Select(o => o.ToString().ToLowerInvariant())),
            maxBytes ?? 0, false, time.GetUtcNow(), null, 0, 0, 0, 0), cancellationToken).ConfigureAwait(false);
        _wake.Release();
        return batch;
    }

    /// <summary>The batch, or NOT_FOUND.</summary>
    public async Task<BatchRecord> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetBatchAsync(tenant, id, cancellationToken).ConfigureAwait(false)
        ?? throw new DocEngineException(ErrorKind.NotFound, "BATCH_NOT_FOUND", $"There is no batch 'batches/{id}': check the name StartBatch returned.") { Field = "name" };

    /// <summary>
    /// Works until cancelled: every running batch, oldest first, <paramref name="concurrency"/> documents at a time. Throws
    /// when the store cannot be reached; calling it again (after a pause) carries on where it stopped.
    /// </summary>
    public async Task RunAsync(int concurrency, CancellationToken cancellationToken)
    {
        await store.ReleaseLeasesAsync(node.Name, cancellationToken).ConfigureAwait(false); // ours, from before a restart
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeasesAsync(stop.Token);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var worked = false;
                foreach (var batch in await store.ListRunningBatchesAsync(cancellationToken).ConfigureAwait(false))
                {
                    var ops = batch.Operations.Split(',').Select(o => Enum.Parse<BatchOp>(o, ignoreCase: true)).ToList();
                    var maxBytes = batch.MaxBytes > 0 ? batch.MaxBytes : (long?)null;
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        var now = time.GetUtcNow();
                        var items = await store.ClaimItemsAsync(batch.Id, node.Name, concurrency, now, now + lease, cancellationToken).ConfigureAwait(false);
                        if (items.Count == 0)
                        {
                            break;
                        }
                        worked = true;
                        await Task.WhenAll(items.Select(item => RunItemAsync(item, ops, maxBytes, cancellationToken))).ConfigureAwait(false);
                    }
                    await store.CompleteBatchIfDoneAsync(batch.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
                if (!worked)
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunItemAsync(BatchItemRecord item, IReadOnlyList<BatchOp> ops, long? maxBytes, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await steps.RunAsync(item, ops, maxBytes, cancellationToken).ConfigureAwait(false);
        await store.CompleteItemAsync(item, (int)result.Outcome, result.Message, JsonSerializer.Serialize(result.Outputs), clock.ElapsedMilliseconds, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Extends this node's leases every third of a lease while the runner runs.</summary>
    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(lease / 3, time, cancellationToken).ConfigureAwait(false);
            try
            {
                await store.RenewLeasesAsync(node.Name, time.GetUtcNow() + lease, cancellationToken).ConfigureAwait(false);
            }
            catch (DocEngineException unreachable) when (unreachable.Kind == ErrorKind.Unavailable)
            {
                // Tried again a third of a lease later; the items are ours until the lease lapses.
            }
        }
    }
}
