using Npgsql;
using NpgsqlTypes;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IBatchWorkStore
{
    private const string BatchColumns = "tenant, id, application_id, operations, max_bytes, completed, create_time, complete_time, total, ok, refused, failed, attention";

    /// <inheritdoc />
    public Task<BatchRecord> CreateBatchAsync(BatchRecord batch, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var items = Command(connection,
            "INSERT INTO batch_items (batch_id, seq, tenant, application_id, document_id, state) " +
            "SELECT @batch, seq, tenant, application_id, id, 0 FROM documents WHERE tenant = @tenant AND (@app = '' OR application_id = @app) ORDER BY seq;",
            ("batch", batch.Id), ("tenant", batch.Tenant), ("app", batch.ApplicationId)))
        {
            items.Transaction = transaction;
            var total = await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            batch = batch with
            {
                Total = total,
                Completed = total == 0,
                CreateTime = new DateTimeOffset(Stored(batch.CreateTime)),
                CompleteTime = total == 0 ? new DateTimeOffset(Stored(batch.CreateTime)) : null,
            };
        }
        await using (var insert = Command(connection,
            $"INSERT INTO batches ({BatchColumns}) VALUES (@tenant, @id, @app, @ops, @max, @completed, @create, @complete, @total, 0, 0, 0, 0);",
            ("tenant", batch.Tenant), ("id", batch.Id), ("app", batch.ApplicationId), ("ops", batch.Operations), ("max", batch.MaxBytes),
            ("completed", batch.Completed), ("create", Stored(batch.CreateTime)),
            ("complete", Nullable("complete", batch.CompleteTime is { } c ? Stored(c) : null, NpgsqlDbType.TimestampTz)), ("total", batch.Total)))
        {
            insert.Transaction = transaction;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return batch;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<BatchRecord?> GetBatchAsync(string tenant, string id, CancellationToken cancellationToken) => RunAsync(connection => ReadOneAsync(Command(connection,
        $"SELECT {BatchColumns} FROM batches WHERE tenant = @tenant AND id = @id;", ("tenant", tenant), ("id", id)), ReadBatch, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchRecord>> ListRunningBatchesAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<BatchRecord>>(async connection => await ReadAllAsync(Command(connection,
            $"SELECT {BatchColumns} FROM batches WHERE NOT completed ORDER BY create_time;"), ReadBatch, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One statement: the oldest claimable rows are locked with FOR UPDATE SKIP LOCKED, so claimers on other nodes take the
    /// next rows instead of waiting, and no row is handed to two of them.
    /// </remarks>
    public Task<IReadOnlyList<BatchItemRecord>> ClaimItemsAsync(string batchId, string owner, int count, DateTimeOffset now, DateTimeOffset leaseUntil,
        CancellationToken cancellationToken) => RunAsync<IReadOnlyList<BatchItemRecord>>(async connection => await ReadAllAsync(Command(connection,
        """
        WITH picked AS (
            SELECT seq FROM batch_items
            WHERE batch_id = @batch AND (state = 0 OR (state = 1 AND lease_until < @now))
            ORDER BY seq LIMIT @count
            FOR UPDATE SKIP LOCKED),
        claimed AS (
            UPDATE batch_items i SET state = 1, lease_owner = @owner, lease_until = @until
            FROM picked WHERE i.batch_id = @batch AND i.seq = picked.seq
            RETURNING i.seq, i.tenant, i.application_id, i.document_id)
        SELECT c.seq, c.tenant, c.application_id, c.document_id, d.filename, d.sha256, d.size_bytes, d.media_type
        FROM claimed c JOIN documents d ON d.tenant = c.tenant AND d.application_id = c.application_id AND d.id = c.document_id
        ORDER BY c.seq;
        """,
        ("batch", batchId), ("now", Stored(now)), ("count", count), ("owner", owner), ("until", Stored(leaseUntil))),
        r => new BatchItemRecord(batchId, r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetString(7)),
        cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public Task RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "UPDATE batch_items SET lease_until = @until WHERE lease_owner = @owner AND state = 1;", ("owner", owner), ("until", Stored(leaseUntil))),
        cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task CompleteItemAsync(BatchItemRecord item, int outcome, string message, string outputsJson, long millis, CancellationToken cancellationToken) =>
        RunAsync(connection => ExecuteAsync(Command(connection,
            // The item turns done once (state <> 2), and the batch's counter moves only when it does: counted exactly once.
            // Outcomes are BatchOutcome's values: 0 ok, 1 refused, 4 attention, anything else failed.
            """
            WITH done AS (
                UPDATE batch_items SET state = 2, outcome = @outcome, message = @message, outputs = @outputs, millis = @millis, lease_owner = NULL, lease_until = NULL
                WHERE batch_id = @batch AND seq = @seq AND state <> 2
                RETURNING batch_id)
            UPDATE batches SET
                ok = ok + CASE WHEN @outcome = 0 THEN 1 ELSE 0 END,
                refused = refused + CASE WHEN @outcome = 1 THEN 1 ELSE 0 END,
                attention = attention + CASE WHEN @outcome = 4 THEN 1 ELSE 0 END,
                failed = failed + CASE WHEN @outcome NOT IN (0, 1, 4) THEN 1 ELSE 0 END
            WHERE id IN (SELECT batch_id FROM done);
            """,
            ("outcome", (short)outcome), ("message", message), ("outputs", outputsJson), ("millis", millis), ("batch", item.BatchId), ("seq", item.Sequence)),
            cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task CompleteBatchIfDoneAsync(string batchId, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "UPDATE batches SET completed = true, complete_time = @now WHERE id = @batch AND NOT completed AND ok + refused + failed + attention >= total;",
        ("now", Stored(now)), ("batch", batchId)), cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "UPDATE batch_items SET state = 0, lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner AND state = 1;", ("owner", owner)),
        cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<(long Pending, long Leased)> CountOpenItemsAsync(CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var select = Command(connection,
            "SELECT COALESCE(SUM(total - ok - refused - failed - attention), 0)::bigint, " +
            "(SELECT COUNT(*) FROM batch_items WHERE state = 1 AND batch_id IN (SELECT id FROM batches WHERE NOT completed)) " +
            "FROM batches WHERE NOT completed;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (open, leased) = (reader.GetInt64(0), reader.GetInt64(1));
        return (Math.Max(0, open - leased), leased);
    }, cancellationToken);

    private static BatchRecord ReadBatch(NpgsqlDataReader reader) => new(
        Tenant: reader.GetString(0),
        Id: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Operations: reader.GetString(3),
        MaxBytes: reader.GetInt64(4),
        Completed: reader.GetBoolean(5),
        CreateTime: Time(reader, 6),
        CompleteTime: NullableTime(reader, 7),
        Total: reader.GetInt64(8),
        Ok: reader.GetInt64(9),
        Refused: reader.GetInt64(10),
        Failed: reader.GetInt64(11),
        Attention: reader.GetInt64(12));
}
