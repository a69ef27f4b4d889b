namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IReceiptKeyStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListReceiptKeysAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>(async connection => await ReadAllAsync(Command(connection,
            "SELECT pem FROM receipt_keys ORDER BY create_time, id;"), r => r.GetString(0), cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    /// <remarks>Nodes starting together each offer a key; the advisory lock lets exactly one of them in, and the rest adopt it.</remarks>
    public Task AddFirstReceiptKeyAsync(string id, string pem, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var add = Command(connection,
            """
            SELECT pg_advisory_xact_lock(hashtextextended('receipt_keys', 1));
            INSERT INTO receipt_keys (id, pem, create_time) SELECT @id, @pem, @now WHERE NOT EXISTS (SELECT 1 FROM receipt_keys);
            """,
            ("id", id), ("pem", pem), ("now", Stored(now))))
        {
            add.Transaction = transaction;
            await add.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }, cancellationToken);
}
