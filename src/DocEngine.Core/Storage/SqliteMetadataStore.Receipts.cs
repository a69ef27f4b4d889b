using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage;

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
    public async Task<ReceiptRecord?> GetReceiptAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app AND document_id = $doc;",
            ("$tenant", tenant), ("$app", applicationId), ("$doc", documentId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadReceipt(reader) : null;
    }

    /// <inheritdoc />
    public async Task<ReceiptRecord?> GetLastReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app ORDER BY sequence DESC LIMIT 1;",
            ("$tenant", tenant), ("$app", applicationId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadReceipt(reader) : null;
    }

    /// <inheritdoc />
    public async Task<bool> TryAddReceiptAsync(ReceiptRecord receipt, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            $"INSERT OR IGNORE INTO receipts (tenant, application_id, sequence, document_id, jws, sha256, previous_sha256, key_id, issue_time) " +
            "VALUES ($tenant, $app, $seq, $doc, $jws, $sha, $prev, $kid, $time);",
            ("$tenant", receipt.Tenant), ("$app", receipt.ApplicationId), ("$seq", receipt.Sequence), ("$doc", receipt.DocumentId),
            ("$jws", receipt.Jws), ("$sha", receipt.Sha256), ("$prev", receipt.PreviousSha256), ("$kid", receipt.KeyId),
            ("$time", ToUnixMicros(receipt.IssueTime)));
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<Page<ReceiptRecord>> ListReceiptsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('r', pageToken);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ReceiptColumns} FROM receipts WHERE tenant = $tenant AND application_id = $app AND sequence > $after ORDER BY sequence LIMIT $limit;",
            ("$tenant", tenant), ("$app", applicationId), ("$after", after), ("$limit", size + 1));
        return await ReadPageAsync(select, size, 'r', ReadReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentRecord>> ListDocumentsWithoutReceiptAsync(string tenant, string applicationId, CancellationToken cancellationToken)
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
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApplicationEventRecord>> ListApplicationEventsAsync(string tenant, string applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var application = await GetApplicationAsync(connection, tenant, applicationId, cancellationToken).ConfigureAwait(false);
        if (application is null)
        {
            return [];
        }
        var name = "applications/" + applicationId;
        var events = new List<ApplicationEventRecord> { new(application.CreateTime, ApplicationEventKind.Created, name, "The application was created.") };
        if (application.SubmitTime is { } submitted)
        {
            events.Add(new(submitted, ApplicationEventKind.Submitted, name, "The application was submitted."));
        }
        // Every source below is append-only history: nothing here is written for the timeline alone.
        await ReadEventsAsync(connection, "SELECT create_time, id, filename, declared_size FROM uploads WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.UploadStarted, $"uploads/{r.GetString(1)}",
                $"Upload of \"{r.GetString(2)}\" started{(r.IsDBNull(3) ? "" : $" ({ByteSize.Describe(r.GetInt64(3))})")}."), events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT create_time, id, filename, size_bytes, sha256, supplementary FROM documents WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)),
                r.GetInt64(5) != 0 ? ApplicationEventKind.SupplementaryDocumentReceived : ApplicationEventKind.DocumentReceived, $"{name}/documents/{r.GetString(1)}",
                $"\"{r.GetString(2)}\" ({ByteSize.Describe(r.GetInt64(3))}, SHA-256 {r.GetString(4)[..16]}…) was received completely{(r.GetInt64(5) != 0 ? ", after submission" : "")}."),
            events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT create_time, document_id, id, media_type, size_bytes FROM renditions WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.RenditionMade, $"{name}/documents/{r.GetString(1)}/renditions/{r.GetString(2)}",
                $"A {r.GetString(3)} rendition ({ByteSize.Describe(r.GetInt64(4))}) was made."), events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT issue_time, document_id, sequence FROM receipts WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.ReceiptIssued, $"{name}/documents/{r.GetString(1)}/receipt",
                string.Create(CultureInfo.InvariantCulture, $"Receipt {r.GetInt64(2)} was issued.")), events, cancellationToken).ConfigureAwait(false);
        return events.OrderBy(e => e.Time).ThenBy(e => e.Kind).ToList();
    }

    private static async Task ReadEventsAsync(SqliteConnection connection, string sql, string tenant, string applicationId,
        Func<SqliteDataReader, ApplicationEventRecord> read, List<ApplicationEventRecord> events, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, sql, ("$tenant", tenant), ("$app", applicationId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(read(reader));
        }
    }

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
