namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : ILimitStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One transaction: a transaction-level advisory lock on the scope serializes takers of the same scope across nodes,
    /// expired slots are dropped, and the new slot is inserted only while fewer than <paramref name="limit"/> remain.
    /// </remarks>
    public Task<bool> TryTakeSlotAsync(string scope, string slotId, string owner, int limit, DateTimeOffset now, DateTimeOffset expireTime,
        CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var take = Command(connection,
            """
            SELECT pg_advisory_xact_lock(hashtextextended(@scope, 1));
            DELETE FROM limit_slots WHERE scope = @scope AND expire_time < @now;
            INSERT INTO limit_slots (scope, id, owner, expire_time)
            SELECT @scope, @id, @owner, @expire WHERE (SELECT COUNT(*) FROM limit_slots WHERE scope = @scope) < @limit;
            """,
            ("scope", scope), ("now", Stored(now)), ("id", slotId), ("owner", owner), ("expire", Stored(expireTime)), ("limit", limit));
        take.Transaction = transaction;
        await using var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }
        var taken = reader.RecordsAffected;
        await reader.DisposeAsync().ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return taken > 0;
    }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseSlotAsync(string scope, string slotId, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "DELETE FROM limit_slots WHERE scope = @scope AND id = @id;", ("scope", scope), ("id", slotId)), cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task RenewSlotsAsync(string owner, DateTimeOffset expireTime, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "UPDATE limit_slots SET expire_time = @expire WHERE owner = @owner;", ("owner", owner), ("expire", Stored(expireTime))), cancellationToken), cancellationToken);
}
