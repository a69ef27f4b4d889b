using Npgsql;
using NpgsqlTypes;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IReceiptStore
{
    private const string ReceiptColumns = "sequence, tenant, application_id, document_id, jws, sha256, previous_sha256, key_id, issue_time";

    /// <inheritdoc />
    public Task<ReceiptRecord?> GetReceiptAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadOneAsync(Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = @tenant AND application_id = @app AND document_id = @doc;",
            ("tenant", tenant), ("app", applicationId), ("doc", documentId)), ReadReceipt, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<ReceiptRecord?> GetLastReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadOneAsync(Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = @tenant AND application_id = @app ORDER BY sequence DESC LIMIT 1;",
            ("tenant", tenant), ("app", applicationId)), ReadReceipt, cancellationToken), cancellationToken);

    /// <inheritdoc />
    /// <remarks>The primary key (tenant, application, sequence) is what stops two nodes from forking a chain: the second insert adds nothing.</remarks>
    public Task<bool> TryAddReceiptAsync(ReceiptRecord receipt, CancellationToken cancellationToken) => RunAsync(async connection => await ExecuteAsync(Command(connection,
        "INSERT INTO receipts (tenant, application_id, sequence, document_id, jws, sha256, previous_sha256, key_id, issue_time) " +
        "VALUES (@tenant, @app, @seq, @doc, @jws, @sha, @prev, @kid, @time) ON CONFLICT DO NOTHING;",
        ("tenant", receipt.Tenant), ("app", receipt.ApplicationId), ("seq", receipt.Sequence), ("doc", receipt.DocumentId),
        ("jws", receipt.Jws), ("sha", receipt.Sha256), ("prev", Nullable("prev", receipt.PreviousSha256, NpgsqlDbType.Text)), ("kid", receipt.KeyId),
        ("time", Stored(receipt.IssueTime))), cancellationToken).ConfigureAwait(false) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<Page<ReceiptRecord>> ListReceiptsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('r', pageToken);
        return RunAsync(connection => ReadPageAsync(Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = @tenant AND application_id = @app AND sequence > @after ORDER BY sequence LIMIT @limit;",
            ("tenant", tenant), ("app", applicationId), ("after", after), ("limit", size + 1)), size, 'r', ReadReceipt, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DocumentRecord>> ListDocumentsWithoutReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<DocumentRecord>>(async connection => await ReadAllAsync(Command(connection,
            $"SELECT {string.Join(", ", DocumentColumns.Split(", ").Select(c => "d." + c))} FROM documents d " +
            "WHERE d.tenant = @tenant AND d.application_id = @app AND NOT EXISTS " +
            "(SELECT 1 FROM receipts r WHERE r.tenant = d.tenant AND r.application_id = d.application_id AND r.document_id = d.id) ORDER BY d.seq;",
            ("tenant", tenant), ("app", applicationId)), ReadDocument, cancellationToken).ConfigureAwait(false), cancellationToken);

    private static ReceiptRecord ReadReceipt(NpgsqlDataReader reader) => new(
        Tenant: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        DocumentId: reader.GetString(3),
        Sequence: reader.GetInt64(0),
        Jws: reader.GetString(4),
        Sha256: reader.GetString(5),
        PreviousSha256: NullableString(reader, 6),
        KeyId: reader.GetString(7),
        IssueTime: Time(reader, 8));
}
