namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    /// <inheritdoc />
    public Task AddAuditEventAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            "INSERT INTO audit_events (tenant, application_id, time, kind, resource, description, actor, access_token) " +
            "VALUES ($tenant, $app, $time, $kind, $resource, $description, $actor, $token);",
            ("$tenant", auditEvent.Tenant), ("$app", auditEvent.ApplicationId), ("$time", ToUnixMicros(auditEvent.Time)), ("$kind", (int)auditEvent.Kind),
            ("$resource", auditEvent.Resource), ("$description", auditEvent.Description), ("$actor", auditEvent.Actor), ("$token", auditEvent.AccessToken));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });
}
