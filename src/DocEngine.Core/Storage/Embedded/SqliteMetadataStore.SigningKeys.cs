namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSigningKeysAsync(string purpose, CancellationToken cancellationToken) => Guard<IReadOnlyList<string>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, "SELECT pem FROM signing_keys WHERE purpose = $purpose ORDER BY seq;", ("$purpose", purpose));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    });

    /// <inheritdoc />
    public Task AddFirstSigningKeyAsync(string purpose, string pem, DateTimeOffset now, CancellationToken cancellationToken) => Guard(async () =>
    {
        // The primary key (purpose, 1) lets exactly one of several nodes starting at once store the first key.
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            "INSERT OR IGNORE INTO signing_keys (purpose, seq, pem, create_time) VALUES ($purpose, 1, $pem, $now);",
            ("$purpose", purpose), ("$pem", pem), ("$now", ToUnixMicros(now)));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });
}
