using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string ApplicationColumns =
        "a.seq, a.tenant, a.id, a.display_name, a.create_time, a.submit_time, " +
        "(SELECT COUNT(*) FROM documents d WHERE d.tenant = a.tenant AND d.application_id = a.id)";

    /// <inheritdoc />
    public Task<ApplicationRecord> CreateApplicationAsync(string tenant, string id, string displayName, DateTimeOffset now, CancellationToken cancellationToken) => Guard<ApplicationRecord>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            "INSERT INTO applications (tenant, id, display_name, create_time) VALUES ($tenant, $id, $name, $now);",
            ("$tenant", tenant), ("$id", id), ("$name", displayName), ("$now", ToUnixMicros(now)));
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
        {
            throw new DocEngineException(ErrorKind.AlreadyExists, "APPLICATION_EXISTS",
                $"An application with id '{id}' already exists: use it, or choose another id.")
            { Field = "application_id" };
        }
        return new ApplicationRecord(tenant, id, displayName, FromUnixMicros(ToUnixMicros(now)), null, 0);
    });

    /// <inheritdoc />
    public Task<ApplicationRecord?> GetApplicationAsync(string tenant, string id, CancellationToken cancellationToken) => Guard<ApplicationRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await GetApplicationAsync(connection, tenant, id, cancellationToken).ConfigureAwait(false);
    });

    private static async Task<ApplicationRecord?> GetApplicationAsync(SqliteConnection connection, string tenant, string id, CancellationToken cancellationToken)
    {
        await using var select = Command(connection,
            $"SELECT {ApplicationColumns} FROM applications a WHERE a.tenant = $tenant AND a.id = $id;",
            ("$tenant", tenant), ("$id", id));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadApplication(reader) : null;
    }

    /// <inheritdoc />
    public Task<Page<ApplicationRecord>> ListApplicationsAsync(string tenant, int pageSize, string? pageToken, CancellationToken cancellationToken) => Guard<Page<ApplicationRecord>>(async () =>
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('a', pageToken);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {ApplicationColumns} FROM applications a WHERE a.tenant = $tenant AND a.seq > $after ORDER BY a.seq LIMIT $limit;",
            ("$tenant", tenant), ("$after", after), ("$limit", size + 1));
        return await ReadPageAsync(select, size, 'a', ReadApplication, cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<ApplicationRecord?> SubmitApplicationAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken) => Guard<ApplicationRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            "UPDATE applications SET submit_time = COALESCE(submit_time, $now) WHERE tenant = $tenant AND id = $id;",
            ("$tenant", tenant), ("$id", id), ("$now", ToUnixMicros(now)));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return await GetApplicationAsync(connection, tenant, id, cancellationToken).ConfigureAwait(false);
    });

    private static ApplicationRecord ReadApplication(SqliteDataReader reader) => new(
        Tenant: reader.GetString(1),
        Id: reader.GetString(2),
        DisplayName: reader.GetString(3),
        CreateTime: FromUnixMicros(reader.GetInt64(4)),
        SubmitTime: reader.IsDBNull(5) ? null : FromUnixMicros(reader.GetInt64(5)),
        DocumentCount: reader.GetInt32(6));
}
