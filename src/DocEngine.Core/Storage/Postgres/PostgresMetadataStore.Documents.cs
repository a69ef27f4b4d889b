using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IDocumentStore
{
    private const string DocumentColumns =
        "seq, tenant, application_id, id, filename, media_type, size_bytes, sha256, create_time, supplementary, version, upload_id";

    /// <inheritdoc />
    public Task<DocumentRecord?> GetDocumentAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadOneAsync(Command(connection,
            $"SELECT {DocumentColumns} FROM documents WHERE tenant = @tenant AND application_id = @app AND id = @id;",
            ("tenant", tenant), ("app", applicationId), ("id", documentId)), ReadDocument, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<Page<DocumentRecord>?> ListDocumentsAsync(string tenant, string applicationId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('d', pageToken);
        return RunAsync<Page<DocumentRecord>?>(async connection =>
        {
            if (await GetApplicationAsync(connection, tenant, applicationId, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
            return await ReadPageAsync(Command(connection,
                $"SELECT {DocumentColumns} FROM documents WHERE tenant = @tenant AND application_id = @app AND seq > @after ORDER BY seq LIMIT @limit;",
                ("tenant", tenant), ("app", applicationId), ("after", after), ("limit", size + 1)), size, 'd', ReadDocument, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static DocumentRecord ReadDocument(NpgsqlDataReader reader) => new(
        Tenant: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Id: reader.GetString(3),
        Filename: reader.GetString(4),
        MediaType: reader.GetString(5),
        SizeBytes: reader.GetInt64(6),
        Sha256: reader.GetString(7),
        CreateTime: Time(reader, 8),
        Supplementary: reader.GetBoolean(9),
        Version: reader.GetInt32(10),
        UploadId: reader.GetString(11));
}
