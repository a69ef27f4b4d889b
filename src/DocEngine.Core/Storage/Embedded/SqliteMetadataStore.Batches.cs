using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string BatchColumns = "tenant, id, application_id, operations, max_bytes, completed, create_time, complete_time, total, ok, refused, failed, attention";

    // Item states: 0 pending, 1 leased, 2 done. SQLite serializes writers, so a claim's UPDATE … RETURNING is atomic;
    // the PostgreSQL provider selects the rows FOR UPDATE SKIP LOCKED inside the same statement.
    private const string BatchesSchema = """
        CREATE TABLE batches (
            tenant TEXT NOT NULL,
            id TEXT NOT NULL PRIMARY KEY,
            application_id TEXT NOT NULL,
            operations TEXT NOT NULL,
            max_bytes INTEGER NOT NULL,
            completed INTEGER NOT NULL,
            create_time INTEGER NOT NULL,
            complete_time INTEGER,
            total INTEGER NOT NULL,
            ok INTEGER NOT NULL,
            refused INTEGER NOT NULL,
            failed INTEGER NOT NULL);
        CREATE TABLE batch_items (
            batch_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            document_id TEXT NOT NULL,
            state INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            outcome INTEGER,
            message TEXT,
            outputs TEXT,
            millis INTEGER,
            PRIMARY KEY (batch_id, seq));
        CREATE INDEX batch_items_by_state ON batch_items (batch_id, state, seq);
        PRAGMA user_version = 4;
        """;

    // Version 5: documents processed that need a person's attention (a signature not valid, a repaired file).
    private const string BatchAttentionSchema = """
        ALTER TABLE batches ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
        PRAGMA user_version = 5;
        """;

    /// <inheritdoc />
    public Task<BatchRecord> CreateBatchAsync(BatchRecord batch, CancellationToken cancellationToken) => Guard<BatchRecord>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var items = Command(connection,
            "INSERT INTO batch_items (batch_id, seq, tenant, application_id, document_id, state) " +
            "SELECT $batch, seq, tenant, application_id, id, 0 FROM documents WHERE tenant = $tenant AND ($app = '' OR application_id = $app) ORDER BY seq;",
            ("$batch", batch.Id), ("$tenant", batch.Tenant), ("$app", batch.ApplicationId)))
        {
            items.Transaction = transaction;
            var total = await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            batch = batch with { Total = total, Completed = total == 0, CompleteTime = total == 0 ? batch.CreateTime : null };
        }
        await using (var insert = Command(connection,
            $"INSERT INTO batches ({BatchColumns}) VALUES ($tenant, $id, $app, $ops, $max, $completed, $create, $complete, $total, 0, 0, 0, 0);",
            ("$tenant", batch.Tenant), ("$id", batch.Id), ("$app", batch.ApplicationId), ("$ops", batch.Operations), ("$max", batch.MaxBytes),
            ("$completed", batch.Completed ? 1 : 0), ("$create", ToUnixMicros(batch.CreateTime)),
            ("$complete", batch.CompleteTime is { } c ? ToUnixMicros(c) : null), ("$total", batch.Total)))
        {
            insert.Transaction = transaction;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return batch;
    });

    /// <inheritdoc />
    public Task<BatchRecord?> GetBatchAsync(string tenant, string id, CancellationToken cancellationToken) => Guard<BatchRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, $"SELECT {BatchColumns} FROM batches WHERE tenant = $tenant AND id = $id;", ("$tenant", tenant), ("$id", id));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadBatch(reader) : null;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchRecord>> ListRunningBatchesAsync(CancellationToken cancellationToken) => Guard<IReadOnlyList<BatchRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, $"SELECT {BatchColumns} FROM batches WHERE completed = 0 ORDER BY create_time;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var batches = new List<BatchRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batches.Add(ReadBatch(reader));
        }
        return batches;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchItemRecord>> ClaimItemsAsync(string batchId, string owner, int count, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) => Guard<IReadOnlyList<BatchItemRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var claim = Command(connection,
            "UPDATE batch_items SET state = 1, lease_owner = $owner, lease_until = $until WHERE batch_id = $batch AND seq IN " +
            "(SELECT seq FROM batch_items WHERE batch_id = $batch AND (state = 0 OR (state = 1 AND lease_until < $now)) ORDER BY seq LIMIT $count) " +
            "RETURNING seq, tenant, application_id, document_id;",
            ("$owner", owner), ("$until", ToUnixMicros(leaseUntil)), ("$batch", batchId), ("$now", ToUnixMicros(now)), ("$count", count));
        var claimed = new List<(long Seq, string Tenant, string App, string Doc)>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        var items = new List<BatchItemRecord>();
        foreach (var (seq, tenant, app, doc) in claimed.OrderBy(c => c.Seq))
        {
            await using var select = Command(connection, "SELECT filename, sha256, size_bytes, media_type FROM documents WHERE tenant = $tenant AND application_id = $app AND id = $id;",
                ("$tenant", tenant), ("$app", app), ("$id", doc));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new BatchItemRecord(batchId, seq, tenant, app, doc, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
            }
        }
        return items;
    });

    /// <inheritdoc />
    public Task CompleteItemAsync(BatchItemRecord item, int outcome, string message, string outputsJson, long millis, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int changed;
        await using (var update = Command(connection,
            "UPDATE batch_items SET state = 2, outcome = $outcome, message = $message, outputs = $outputs, millis = $millis, lease_owner = NULL, lease_until = NULL " +
            "WHERE batch_id = $batch AND seq = $seq AND state != 2;",
            ("$outcome", outcome), ("$message", message), ("$outputs", outputsJson), ("$millis", millis), ("$batch", item.BatchId), ("$seq", item.Sequence)))
        {
            update.Transaction = transaction;
            changed = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (changed == 1)
        {
            var column = outcome switch { 0 => "ok", 1 => "refused", 4 => "attention", _ => "failed" }; // BatchOutcome's values
            await using var count = Command(connection, $"UPDATE batches SET {column} = {column} + 1 WHERE id = $batch;", ("$batch", item.BatchId));
            count.Transaction = transaction;
            await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task CompleteBatchIfDoneAsync(string batchId, DateTimeOffset now, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            "UPDATE batches SET completed = 1, complete_time = $now WHERE id = $batch AND completed = 0 AND ok + refused + failed + attention >= total;",
            ("$now", ToUnixMicros(now)), ("$batch", batchId));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var renew = Command(connection, "UPDATE batch_items SET lease_until = $until WHERE lease_owner = $owner AND state = 1;",
            ("$owner", owner), ("$until", ToUnixMicros(leaseUntil)));
        await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var release = Command(connection, "UPDATE batch_items SET state = 0, lease_owner = NULL, lease_until = NULL WHERE lease_owner = $owner AND state = 1;",
            ("$owner", owner));
        await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<(long Pending, long Leased)> CountOpenItemsAsync(CancellationToken cancellationToken) => Guard<(long Pending, long Leased)>(async () =>
    {
        // From the running batches' counters (a handful of rows) and the leased items (at most the workers' count, found
        // through batch_items_by_state), never a scan of batch_items. WAL readers do not wait for a writer.
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            "SELECT COALESCE(SUM(total - ok - refused - failed - attention), 0), " +
            "(SELECT COUNT(*) FROM batch_items WHERE state = 1 AND batch_id IN (SELECT id FROM batches WHERE completed = 0)) " +
            "FROM batches WHERE completed = 0;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (open, leased) = (reader.GetInt64(0), reader.GetInt64(1));
        return (Math.Max(0, open - leased), leased);
    });

    private static BatchRecord ReadBatch(SqliteDataReader reader) => new(
        Tenant: reader.GetString(0),
        Id: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Operations: reader.GetString(3),
        MaxBytes: reader.GetInt64(4),
        Completed: reader.GetInt64(5) != 0,
        CreateTime: FromUnixMicros(reader.GetInt64(6)),
        CompleteTime: reader.IsDBNull(7) ? null : FromUnixMicros(reader.GetInt64(7)),
        Total: reader.GetInt64(8),
        Ok: reader.GetInt64(9),
        Refused: reader.GetInt64(10),
        Failed: reader.GetInt64(11),
        Attention: reader.GetInt64(12));
}
