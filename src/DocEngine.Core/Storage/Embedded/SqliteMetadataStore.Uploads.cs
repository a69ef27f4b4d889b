using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string UploadColumns =
        "tenant, id, application_id, filename, media_type, declared_size, declared_sha256, committed_offset, state, create_time, expire_time, sha256, document_id, failure, " +
        "hash_state, part_state";

    private const string UploadStateSchema = """
        ALTER TABLE uploads ADD COLUMN hash_state BLOB;
        ALTER TABLE uploads ADD COLUMN part_state TEXT;
        PRAGMA user_version = 7;
        """;

    private readonly KeyedLocks _uploadLocks = new();

    /// <inheritdoc />
    public Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            $"INSERT INTO uploads ({UploadColumns}) VALUES ($tenant, $id, $app, $filename, $media, $size, $declaredSha, $offset, $state, $create, $expire, NULL, NULL, NULL, $hash, $parts);",
            ("$tenant", upload.Tenant), ("$id", upload.Id), ("$app", upload.ApplicationId), ("$filename", upload.Filename),
            ("$media", upload.MediaType), ("$size", upload.DeclaredSize), ("$declaredSha", upload.DeclaredSha256),
            ("$offset", upload.CommittedOffset), ("$state", (int)upload.State),
            ("$create", ToUnixMicros(upload.CreateTime)), ("$expire", ToUnixMicros(upload.ExpireTime)), ("$hash", upload.HashState), ("$parts", upload.PartState));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<UploadRecord?> GetUploadAsync(string? tenant, string id, CancellationToken cancellationToken) => Guard<UploadRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {UploadColumns} FROM uploads WHERE id = $id AND ($tenant IS NULL OR tenant = $tenant);",
            ("$id", id), ("$tenant", tenant));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadUpload(reader) : null;
    });

    /// <inheritdoc />
    public Task<bool> SaveCommitAsync(string id, long previousOffset, UploadCommit commit, CancellationToken cancellationToken) => Guard<bool>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            "UPDATE uploads SET committed_offset = $offset, expire_time = $expire, hash_state = $hash, part_state = $parts " +
            "WHERE id = $id AND state = $open AND committed_offset = $previous;",
            ("$id", id), ("$offset", commit.Offset), ("$expire", ToUnixMicros(commit.ExpireTime)), ("$hash", commit.HashState), ("$parts", commit.PartState),
            ("$open", (int)UploadState.Open), ("$previous", previousOffset));
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    });

    /// <inheritdoc />
    /// <remarks>In-process locks: the embedded store belongs to one server process.</remarks>
    public Task<IAsyncDisposable?> LockUploadAsync(string id, TimeSpan wait, CancellationToken cancellationToken) => _uploadLocks.TryTakeAsync(id, wait, cancellationToken);

    /// <inheritdoc />
    public Task SetUploadStateAsync(string id, UploadState state, string? sha256OrFailure, CancellationToken cancellationToken) => Guard(async () =>
    {
        var column = state == UploadState.Completing ? "sha256" : "failure";
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            $"UPDATE uploads SET state = $state, {column} = COALESCE($value, {column}) WHERE id = $id;",
            ("$id", id), ("$state", (int)state), ("$value", sha256OrFailure));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<DocumentRecord> CompleteUploadAsync(UploadRecord upload, string documentId, string sha256, DateTimeOffset now, CancellationToken cancellationToken) => Guard<DocumentRecord>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using var facts = Command(connection,
            """
            SELECT
                (SELECT submit_time FROM applications WHERE tenant = $tenant AND id = $app),
                (SELECT COUNT(*) FROM documents WHERE tenant = $tenant AND application_id = $app AND filename = $filename);
            """,
            ("$tenant", upload.Tenant), ("$app", upload.ApplicationId), ("$filename", upload.Filename));
        facts.Transaction = transaction;
        bool supplementary;
        int version;
        await using (var reader = await facts.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            supplementary = !reader.IsDBNull(0);
            version = reader.GetInt32(1) + 1;
        }

        var document = new DocumentRecord(upload.Tenant, upload.ApplicationId, documentId, upload.Filename, upload.MediaType,
            upload.CommittedOffset, sha256, FromUnixMicros(ToUnixMicros(now)), supplementary, version, upload.Id);
        await using var insert = Command(connection,
            $"INSERT INTO documents ({DocumentColumns}) VALUES (NULL, $tenant, $app, $id, $filename, $media, $size, $sha, $create, $supplementary, $version, $upload);",
            ("$tenant", document.Tenant), ("$app", document.ApplicationId), ("$id", document.Id), ("$filename", document.Filename),
            ("$media", document.MediaType), ("$size", document.SizeBytes), ("$sha", document.Sha256), ("$create", ToUnixMicros(now)),
            ("$supplementary", supplementary ? 1 : 0), ("$version", version), ("$upload", upload.Id));
        insert.Transaction = transaction;
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        await using var update = Command(connection,
            "UPDATE uploads SET state = $state, sha256 = $sha, document_id = $doc WHERE id = $id;",
            ("$id", upload.Id), ("$state", (int)UploadState.Completed), ("$sha", sha256), ("$doc", documentId));
        update.Transaction = transaction;
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return document;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadRecord>> ListExpiredUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) => Guard<IReadOnlyList<UploadRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {UploadColumns} FROM uploads WHERE state = $open AND expire_time < $now ORDER BY expire_time LIMIT $limit;",
            ("$open", (int)UploadState.Open), ("$now", ToUnixMicros(now)), ("$limit", limit));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var expired = new List<UploadRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            expired.Add(ReadUpload(reader));
        }
        return expired;
    });

    private static UploadRecord ReadUpload(SqliteDataReader reader) => new(
        Tenant: reader.GetString(0),
        Id: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Filename: reader.GetString(3),
        MediaType: reader.GetString(4),
        DeclaredSize: reader.IsDBNull(5) ? null : reader.GetInt64(5),
        DeclaredSha256: reader.IsDBNull(6) ? null : reader.GetString(6),
        CommittedOffset: reader.GetInt64(7),
        State: (UploadState)reader.GetInt32(8),
        CreateTime: FromUnixMicros(reader.GetInt64(9)),
        ExpireTime: FromUnixMicros(reader.GetInt64(10)),
        Sha256: reader.IsDBNull(11) ? null : reader.GetString(11),
        DocumentId: reader.IsDBNull(12) ? null : reader.GetString(12),
        Failure: reader.IsDBNull(13) ? null : reader.GetString(13))
    {
        HashState = reader.IsDBNull(14) ? null : (byte[])reader[14],
        PartState = reader.IsDBNull(15) ? null : reader.GetString(15),
    };
}
