using Npgsql;
using NpgsqlTypes;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IUploadSessionStore
{
    private const string UploadColumns =
        "tenant, id, application_id, filename, media_type, declared_size, declared_sha256, committed_offset, state, create_time, expire_time, " +
        "sha256, document_id, failure, hash_state, part_state";

    /// <inheritdoc />
    public Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        $"INSERT INTO uploads ({UploadColumns}) VALUES (@tenant, @id, @app, @filename, @media, @size, @declaredSha, @offset, @state, @create, @expire, NULL, NULL, NULL, @hash, @parts);",
        ("tenant", upload.Tenant), ("id", upload.Id), ("app", upload.ApplicationId), ("filename", upload.Filename), ("media", upload.MediaType),
        ("size", Nullable("size", upload.DeclaredSize, NpgsqlDbType.Bigint)), ("declaredSha", Nullable("declaredSha", upload.DeclaredSha256, NpgsqlDbType.Text)),
        ("offset", upload.CommittedOffset), ("state", (short)upload.State), ("create", Stored(upload.CreateTime)), ("expire", Stored(upload.ExpireTime)),
        ("hash", Nullable("hash", upload.HashState, NpgsqlDbType.Bytea)), ("parts", Nullable("parts", upload.PartState, NpgsqlDbType.Text))),
        cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<UploadRecord?> GetUploadAsync(string? tenant, string id, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadOneAsync(Command(connection,
            $"SELECT {UploadColumns} FROM uploads WHERE id = @id AND (@tenant::text IS NULL OR tenant = @tenant::text);",
            ("id", id), ("tenant", Nullable("tenant", tenant, NpgsqlDbType.Text))), ReadUpload, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> SaveCommitAsync(string id, long previousOffset, UploadCommit commit, CancellationToken cancellationToken) =>
        RunAsync(async connection => await ExecuteAsync(Command(connection,
            "UPDATE uploads SET committed_offset = @offset, expire_time = @expire, hash_state = @hash, part_state = @parts " +
            "WHERE id = @id AND state = @open AND committed_offset = @previous;",
            ("id", id), ("offset", commit.Offset), ("expire", Stored(commit.ExpireTime)), ("open", (short)UploadState.Open), ("previous", previousOffset),
            ("hash", Nullable("hash", commit.HashState, NpgsqlDbType.Bytea)), ("parts", Nullable("parts", commit.PartState, NpgsqlDbType.Text))),
            cancellationToken).ConfigureAwait(false) == 1, cancellationToken);

    /// <inheritdoc />
    public Task SetUploadStateAsync(string id, UploadState state, string? sha256OrFailure, CancellationToken cancellationToken)
    {
        var column = state == UploadState.Completing ? "sha256" : "failure";
        return RunAsync(connection => ExecuteAsync(Command(connection,
            $"UPDATE uploads SET state = @state, {column} = COALESCE(@value, {column}) WHERE id = @id;",
            ("id", id), ("state", (short)state), ("value", Nullable("value", sha256OrFailure, NpgsqlDbType.Text))), cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<DocumentRecord> CompleteUploadAsync(UploadRecord upload, string documentId, string sha256, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // The application's row lock orders completions of one application across nodes: versions count up without gaps or twins.
            DateTimeOffset? submitted = null;
            await using (var lockApplication = Command(connection,
                "SELECT submit_time FROM applications WHERE tenant = @tenant AND id = @app FOR UPDATE;", ("tenant", upload.Tenant), ("app", upload.ApplicationId)))
            {
                lockApplication.Transaction = transaction;
                await using var reader = await lockApplication.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    submitted = NullableTime(reader, 0);
                }
            }
            await using (var completed = Command(connection,
                "UPDATE uploads SET state = @completed, sha256 = @sha, document_id = @doc WHERE id = @id AND state <> @completed RETURNING id;",
                ("id", upload.Id), ("completed", (short)UploadState.Completed), ("sha", sha256), ("doc", documentId)))
            {
                completed.Transaction = transaction;
                if (await completed.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    // Completed by another call in the meantime: its document is the one.
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    var stored = await GetUploadAsync(connection, upload.Id, cancellationToken).ConfigureAwait(false);
                    return await ReadOneAsync(Command(connection,
                        $"SELECT {DocumentColumns} FROM documents WHERE tenant = @tenant AND application_id = @app AND id = @id;",
                        ("tenant", upload.Tenant), ("app", upload.ApplicationId), ("id", stored!.DocumentId!)), ReadDocument, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Upload {upload.Id} is completed but its document is missing.");
                }
            }
            int version;
            await using (var count = Command(connection,
                "SELECT COUNT(*) FROM documents WHERE tenant = @tenant AND application_id = @app AND filename = @filename;",
                ("tenant", upload.Tenant), ("app", upload.ApplicationId), ("filename", upload.Filename)))
            {
                count.Transaction = transaction;
                version = (int)(long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! + 1;
            }
            var document = new DocumentRecord(upload.Tenant, upload.ApplicationId, documentId, upload.Filename, upload.MediaType,
                upload.CommittedOffset, sha256, new DateTimeOffset(Stored(now)), submitted is not null, version, upload.Id);
            await using (var insert = Command(connection,
                $"INSERT INTO documents ({DocumentColumns[5..]}) VALUES (@tenant, @app, @id, @filename, @media, @size, @sha, @create, @supplementary, @version, @upload);",
                ("tenant", document.Tenant), ("app", document.ApplicationId), ("id", document.Id), ("filename", document.Filename),
                ("media", document.MediaType), ("size", document.SizeBytes), ("sha", document.Sha256), ("create", Stored(now)),
                ("supplementary", document.Supplementary), ("version", version), ("upload", upload.Id)))
            {
                insert.Transaction = transaction;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return document;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<UploadRecord>> ListExpiredUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<UploadRecord>>(async connection => await ReadAllAsync(Command(connection,
            $"SELECT {UploadColumns} FROM uploads WHERE state = @open AND expire_time < @now ORDER BY expire_time LIMIT @limit;",
            ("open", (short)UploadState.Open), ("now", Stored(now)), ("limit", limit)), ReadUpload, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A session-level advisory lock on a connection of its own, held until disposed. When a node dies, its connections
    /// close and PostgreSQL releases its locks at once, so another node can take the upload over without waiting for a lease.
    /// </remarks>
    public Task<IAsyncDisposable?> LockUploadAsync(string id, TimeSpan wait, CancellationToken cancellationToken) => Translate<IAsyncDisposable?>(async () =>
    {
        var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                await using (var attempt = Command(connection, "SELECT pg_try_advisory_lock(hashtextextended(@key, 0));", ("key", "upload:" + id)))
                {
                    if ((bool)(await attempt.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    {
                        return new AdvisoryLock(connection, "upload:" + id);
                    }
                }
                if (DateTime.UtcNow >= deadline)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return null;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    });

    private static Task<UploadRecord?> GetUploadAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken) =>
        ReadOneAsync(Command(connection, $"SELECT {UploadColumns} FROM uploads WHERE id = @id;", ("id", id)), ReadUpload, cancellationToken);

    private static UploadRecord ReadUpload(NpgsqlDataReader reader) => new(
        Tenant: reader.GetString(0),
        Id: reader.GetString(1),
        ApplicationId: reader.GetString(2),
        Filename: reader.GetString(3),
        MediaType: reader.GetString(4),
        DeclaredSize: reader.IsDBNull(5) ? null : reader.GetInt64(5),
        DeclaredSha256: NullableString(reader, 6),
        CommittedOffset: reader.GetInt64(7),
        State: (UploadState)reader.GetInt16(8),
        CreateTime: Time(reader, 9),
        ExpireTime: Time(reader, 10),
        Sha256: NullableString(reader, 11),
        DocumentId: NullableString(reader, 12),
        Failure: NullableString(reader, 13))
    {
        HashState = reader.IsDBNull(14) ? null : (byte[])reader[14],
        PartState = NullableString(reader, 15),
    };

    /// <summary>An upload's advisory lock and the connection that holds it; disposing unlocks and returns the connection.</summary>
    private sealed class AdvisoryLock(NpgsqlConnection connection, string key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var unlock = Command(connection, "SELECT pg_advisory_unlock(hashtextextended(@key, 0));", ("key", key));
                await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                // The connection broke: the server has already released the lock with it.
            }
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
