using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IApplicationStore
{
    private const string ApplicationColumns =
        "a.seq, a.tenant, a.id, a.display_name, a.create_time, a.submit_time, " +
        "(SELECT COUNT(*) FROM documents d WHERE d.tenant = a.tenant AND d.application_id = a.id)";

    /// <inheritdoc />
    public Task<ApplicationRecord> CreateApplicationAsync(string tenant, string id, string displayName, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            var inserted = await ExecuteAsync(Command(connection,
                "INSERT INTO applications (tenant, id, display_name, create_time) VALUES (@tenant, @id, @name, @now) ON CONFLICT (tenant, id) DO NOTHING;",
                ("tenant", tenant), ("id", id), ("name", displayName), ("now", Stored(now))), cancellationToken).ConfigureAwait(false);
            if (inserted == 0)
            {
                throw new DocEngineException(ErrorKind.AlreadyExists, "APPLICATION_EXISTS",
                    $"An application with id '{id}' already exists: use it, or choose another id.")
                { Field = "application_id" };
            }
            return new ApplicationRecord(tenant, id, displayName, new DateTimeOffset(Stored(now)), null, 0);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ApplicationRecord?> GetApplicationAsync(string tenant, string id, CancellationToken cancellationToken) =>
        RunAsync(connection => GetApplicationAsync(connection, tenant, id, cancellationToken), cancellationToken);

    private static Task<ApplicationRecord?> GetApplicationAsync(NpgsqlConnection connection, string tenant, string id, CancellationToken cancellationToken) =>
        ReadOneAsync(Command(connection, $"SELECT {ApplicationColumns} FROM applications a WHERE a.tenant = @tenant AND a.id = @id;",
            ("tenant", tenant), ("id", id)), ReadApplication, cancellationToken);

    /// <inheritdoc />
    public Task<Page<ApplicationRecord>> ListApplicationsAsync(string tenant, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(pageSize);
        var after = PageToken.Decode('a', pageToken);
        return RunAsync(connection => ReadPageAsync(Command(connection,
            $"SELECT {ApplicationColumns} FROM applications a WHERE a.tenant = @tenant AND a.seq > @after ORDER BY a.seq LIMIT @limit;",
            ("tenant", tenant), ("after", after), ("limit", size + 1)), size, 'a', ReadApplication, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<ApplicationRecord?> SubmitApplicationAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await ExecuteAsync(Command(connection,
                "UPDATE applications SET submit_time = COALESCE(submit_time, @now) WHERE tenant = @tenant AND id = @id;",
                ("tenant", tenant), ("id", id), ("now", Stored(now))), cancellationToken).ConfigureAwait(false);
            return await GetApplicationAsync(connection, tenant, id, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static ApplicationRecord ReadApplication(NpgsqlDataReader reader) => new(
        Tenant: reader.GetString(1),
        Id: reader.GetString(2),
        DisplayName: reader.GetString(3),
        CreateTime: Time(reader, 4),
        SubmitTime: NullableTime(reader, 5),
        DocumentCount: (int)reader.GetInt64(6));
}
