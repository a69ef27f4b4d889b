using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string AccessTokenColumns = "tenant, id, application_id, permissions, create_time, expire_time, revoke_time, creator";

    // Schema 6 (issue 17): applicant tokens and their revocation, the audit trail, and signing keys shared by all nodes.
    private const string AccessSchema = """
        CREATE TABLE access_tokens (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            permissions TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            expire_time INTEGER NOT NULL,
            revoke_time INTEGER,
            creator TEXT NOT NULL);
        CREATE INDEX access_tokens_by_application ON access_tokens (tenant, application_id);
        CREATE INDEX access_tokens_revoked ON access_tokens (expire_time) WHERE revoke_time IS NOT NULL;
        CREATE TABLE audit_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            time INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            resource TEXT NOT NULL,
            description TEXT NOT NULL,
            actor TEXT NOT NULL,
            access_token TEXT NOT NULL);
        CREATE INDEX audit_events_by_application ON audit_events (tenant, application_id);
        CREATE TABLE signing_keys (
            purpose TEXT NOT NULL,
            seq INTEGER NOT NULL,
            pem TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            PRIMARY KEY (purpose, seq));
        PRAGMA user_version = 6;
        """;

    /// <inheritdoc />
    public Task AddAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            $"INSERT INTO access_tokens ({AccessTokenColumns}) VALUES ($tenant, $id, $app, $permissions, $create, $expire, NULL, $creator);",
            ("$tenant", token.Tenant), ("$id", token.Id), ("$app", token.ApplicationId), ("$permissions", token.Permissions),
            ("$create", ToUnixMicros(token.CreateTime)), ("$expire", ToUnixMicros(token.ExpireTime)), ("$creator", token.Creator));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<AccessTokenRecord?> GetAccessTokenAsync(string tenant, string id, CancellationToken cancellationToken) => Guard<AccessTokenRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, $"SELECT {AccessTokenColumns} FROM access_tokens WHERE tenant = $tenant AND id = $id;",
            ("$tenant", tenant), ("$id", id));
        return (await ReadAccessTokensAsync(select, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    });

    /// <inheritdoc />
    public Task<AccessTokenRecord?> RevokeAccessTokenAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken) => Guard<AccessTokenRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            $"UPDATE access_tokens SET revoke_time = coalesce(revoke_time, $now) WHERE tenant = $tenant AND id = $id RETURNING {AccessTokenColumns};",
            ("$tenant", tenant), ("$id", id), ("$now", ToUnixMicros(now)));
        return (await ReadAccessTokensAsync(update, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<AccessTokenRecord>> RevokeApplicationAccessTokensAsync(string tenant, string applicationId, DateTimeOffset now, CancellationToken cancellationToken) => Guard<IReadOnlyList<AccessTokenRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection,
            "UPDATE access_tokens SET revoke_time = $now WHERE tenant = $tenant AND application_id = $app AND revoke_time IS NULL AND expire_time > $now " +
            $"RETURNING {AccessTokenColumns};",
            ("$tenant", tenant), ("$app", applicationId), ("$now", ToUnixMicros(now)));
        return await ReadAccessTokensAsync(update, cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListRevokedAccessTokenIdsAsync(DateTimeOffset now, CancellationToken cancellationToken) => Guard<IReadOnlyList<string>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, "SELECT id FROM access_tokens WHERE revoke_time IS NOT NULL AND expire_time > $now;",
            ("$now", ToUnixMicros(now)));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    });

    private static async Task<List<AccessTokenRecord>> ReadAccessTokensAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tokens = new List<AccessTokenRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(new AccessTokenRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                FromUnixMicros(reader.GetInt64(4)), FromUnixMicros(reader.GetInt64(5)), reader.IsDBNull(6) ? null : FromUnixMicros(reader.GetInt64(6)),
                reader.GetString(7)));
        }
        return tokens;
    }
}
