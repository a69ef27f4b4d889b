using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string DocumentColumns =
        "seq, tenant, application_id, id, filename, media_type, size_bytes, sha256, create_time, supplementary, version, upload_id";

    /// <inheritdoc />
    public Task<DocumentRecord?> GetDocumentAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) => Guard<DocumentRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {DocumentColumns} FROM documents WHERE tenant = $tenant AND application_id = $app AND id = $id;",
            ("$tenant", tenant), ("$app", applicationId), ("$id", documentId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDocument(reader) : null;
    });

    /// <inheritdoc />
    public Task<Page<DocumentRecord>?> ListDocumentsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken) => Guard<Page<DocumentRecord>?>(async () =>
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('d', pageToken);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (await GetApplicationAsync(connection, tenant, applicationId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }
        await using var select = Command(connection,
            $"SELECT {DocumentColumns} FROM documents WHERE tenant = $tenant AND application_id = $app AND seq > $after ORDER BY seq LIMIT $limit;",
            ("$tenant", tenant), ("$app", applicationId), ("$after", after), ("$limit", size + 1));
        return await ReadPageAsync(select, size, 'd', ReadDocument, cancellationToken).ConfigureAwait(false);
    });

    private static DocumentRecord ReadDocument(SqliteDataReader reader) => new(
        Tenant: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Id: reader.GetString(3),
        Filename: reader.GetString(4),
        MediaType: reader.GetString(5),
        SizeBytes: reader.GetInt64(6),
        Sha256: reader.GetString(7),
        CreateTime: FromUnixMicros(reader.GetInt64(8)),
        Supplementary: reader.GetInt64(9) != 0,
        Version: reader.GetInt32(10),
        UploadId: reader.GetString(11));
}
