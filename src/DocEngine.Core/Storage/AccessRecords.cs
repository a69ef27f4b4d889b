namespace DocEngine.Core.Storage;

/// <summary>
/// An applicant access token as recorded when it was minted: never the token itself (the signed JWS is handed out once),
/// only what revocation and the audit trail need. <paramref name="Permissions"/> are names separated by spaces ("upload read").
/// </summary>
public sealed record AccessTokenRecord(
    string Tenant,
    string Id,
    string ApplicationId,
    string Permissions,
    DateTimeOffset CreateTime,
    DateTimeOffset ExpireTime,
    DateTimeOffset? RevokeTime,
    string Creator);

/// <summary>
/// Something a caller did that the application's timeline must show (a document read, a token minted or revoked): who
/// (<paramref name="Actor"/>), with which applicant token (<paramref name="AccessToken"/>, empty for a tenant's own
/// credentials), when, to what.
/// </summary>
public sealed record AuditEventRecord(
    string Tenant,
    string ApplicationId,
    DateTimeOffset Time,
    ApplicationEventKind Kind,
    string Resource,
    string Description,
    string Actor,
    string AccessToken);
