using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string ReceiptColumns = "sequence, tenant, application_id, document_id, jws, sha256, previous_sha256, key_id, issue_time";

    private const string ReceiptsSchema = """
        CREATE TABLE receipts (
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            document_id TEXT NOT NULL,
            jws TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            previous_sha256 TEXT,
            key_id TEXT NOT NULL,
            issue_time INTEGER NOT NULL,
            PRIMARY KEY (tenant, application_id, sequence),
            UNIQUE (tenant, application_id, document_id));
        PRAGMA user_version = 3;
        """;

    /// <inheritdoc />
    public Task<ReceiptRecord?> GetReceiptAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) => Guard<ReceiptRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app AND document_id = $doc;",
            ("$tenant", tenant), ("$app", applicationId), ("$doc", documentId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadReceipt(reader) : null;
    });

    /// <inheritdoc />
    public Task<ReceiptRecord?> GetLastReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken) => Guard<ReceiptRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app ORDER BY sequence DESC LIMIT 1;",
            ("$tenant", tenant), ("$app", applicationId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadReceipt(reader) : null;
    });

    /// <inheritdoc />
    public Task<bool> TryAddReceiptAsync(ReceiptRecord receipt, CancellationToken cancellationToken) => Guard<bool>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            $"INSERT OR IGNORE INTO receipts (tenant, application_id, sequence, document_id, jws, sha256, previous_sha256, key_id, issue_time) " +
            "VALUES ($tenant, $app, $seq, $doc, $jws, $sha, $prev, $kid, $time);",
            ("$tenant", receipt.Tenant), ("$app", receipt.ApplicationId), ("$seq", receipt.Sequence), ("$doc", receipt.DocumentId),
            ("$jws", receipt.Jws), ("$sha", receipt.Sha256), ("$prev", receipt.PreviousSha256), ("$kid", receipt.KeyId),
            ("$time", ToUnixMicros(receipt.IssueTime)));
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    });

    /// <inheritdoc />
    public Task<Page<ReceiptRecord>> ListReceiptsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken) => Guard<Page<ReceiptRecord>>(async () =>
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('r', pageToken);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app AND sequence > $after ORDER BY sequence LIMIT $limit;",
            ("$tenant", tenant), ("$app", applicationId), ("$after", after), ("$limit", size + 1));
        return await ReadPageAsync(select, size, 'r', ReadReceipt, cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<DocumentRecord>> ListDocumentsWithoutReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken) => Guard<IReadOnlyList<DocumentRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {string.Join(", ", DocumentColumns.Split(", ").Select(c => "d." + c))} FROM documents d " +
            "WHERE d.tenant = $tenant AND d.application_id = $app AND NOT EXISTS " +
            "(SELECT 1 FROM receipts r WHERE r.tenant = d.tenant AND r.application_id = d.application_id AND r.document_id = d.id) ORDER BY d.seq;",
            ("$tenant", tenant), ("$app", applicationId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var documents = new List<DocumentRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            documents.Add(ReadDocument(reader));
        }
        return documents;
    });

    private static ReceiptRecord ReadReceipt(SqliteDataReader reader) => new(
        Tenant: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        DocumentId: reader.GetString(3),
        Sequence: reader.GetInt64(0),
        Jws: reader.GetString(4),
        Sha256: reader.GetString(5),
        PreviousSha256: reader.IsDBNull(6) ? null : reader.GetString(6),
        KeyId: reader.GetString(7),
        IssueTime: FromUnixMicros(reader.GetInt64(8)));
}
