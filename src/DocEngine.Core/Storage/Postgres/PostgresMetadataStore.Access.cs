using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IAccessTokenStore, IAuditEventStore, ISigningKeyStore
{
    private const string AccessTokenColumns = "tenant, id, application_id, permissions, create_time, expire_time, revoke_time, creator";

    /// <inheritdoc />
    public Task AddAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        $"INSERT INTO access_tokens ({AccessTokenColumns}) VALUES (@tenant, @id, @app, @permissions, @create, @expire, NULL, @creator);",
        ("tenant", token.Tenant), ("id", token.Id), ("app", token.ApplicationId), ("permissions", token.Permissions),
        ("create", Stored(token.CreateTime)), ("expire", Stored(token.ExpireTime)), ("creator", token.Creator)), cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<AccessTokenRecord?> GetAccessTokenAsync(string tenant, string id, CancellationToken cancellationToken) => RunAsync(connection => ReadOneAsync(Command(connection,
        $"SELECT {AccessTokenColumns} FROM access_tokens WHERE tenant = @tenant AND id = @id;", ("tenant", tenant), ("id", id)), ReadAccessToken, cancellationToken),
        cancellationToken);

    /// <inheritdoc />
    public Task<AccessTokenRecord?> RevokeAccessTokenAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync(connection => ReadOneAsync(
        Command(connection,
            $"UPDATE access_tokens SET revoke_time = coalesce(revoke_time, @now) WHERE tenant = @tenant AND id = @id RETURNING {AccessTokenColumns};",
            ("tenant", tenant), ("id", id), ("now", Stored(now))), ReadAccessToken, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AccessTokenRecord>> RevokeApplicationAccessTokensAsync(string tenant, string applicationId, DateTimeOffset now,
        CancellationToken cancellationToken) => RunAsync<IReadOnlyList<AccessTokenRecord>>(async connection => await ReadAllAsync(Command(connection,
            "UPDATE access_tokens SET revoke_time = @now WHERE tenant = @tenant AND application_id = @app AND revoke_time IS NULL AND expire_time > @now " +
            $"RETURNING {AccessTokenColumns};",
            ("tenant", tenant), ("app", applicationId), ("now", Stored(now))), ReadAccessToken, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListRevokedAccessTokenIdsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>(async connection => await ReadAllAsync(Command(connection,
            "SELECT id FROM access_tokens WHERE revoke_time IS NOT NULL AND expire_time > @now;", ("now", Stored(now))), r => r.GetString(0), cancellationToken)
            .ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public Task AddAuditEventAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        "INSERT INTO audit_events (tenant, application_id, time, kind, resource, description, actor, access_token) " +
        "VALUES (@tenant, @app, @time, @kind, @resource, @description, @actor, @token);",
        ("tenant", auditEvent.Tenant), ("app", auditEvent.ApplicationId), ("time", Stored(auditEvent.Time)), ("kind", (int)auditEvent.Kind),
        ("resource", auditEvent.Resource), ("description", auditEvent.Description), ("actor", auditEvent.Actor), ("token", auditEvent.AccessToken)), cancellationToken),
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSigningKeysAsync(string purpose, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>(async connection => await ReadAllAsync(Command(connection,
            "SELECT pem FROM signing_keys WHERE purpose = @purpose ORDER BY seq;", ("purpose", purpose)), r => r.GetString(0), cancellationToken).ConfigureAwait(false),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>The primary key (purpose, 1) lets exactly one of several nodes starting at once store the first key; the others adopt it.</remarks>
    public Task AddFirstSigningKeyAsync(string purpose, string pem, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(
        Command(connection, "INSERT INTO signing_keys (purpose, seq, pem, create_time) VALUES (@purpose, 1, @pem, @now) ON CONFLICT DO NOTHING;",
            ("purpose", purpose), ("pem", pem), ("now", Stored(now))), cancellationToken), cancellationToken);

    private static AccessTokenRecord ReadAccessToken(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        Time(r, 4), Time(r, 5), NullableTime(r, 6), r.GetString(7));
}
