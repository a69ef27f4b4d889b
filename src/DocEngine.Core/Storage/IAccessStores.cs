namespace DocEngine.Core.Storage;

/// <summary>
/// Applicant access tokens a tenant minted, and their revocation. Every node reads the revoked ids from here (the
/// store all nodes share), so a revocation made on one node takes effect on all of them within a refresh interval.
/// </summary>
public interface IAccessTokenStore
{
    /// <summary>Records a newly minted token.</summary>
    Task AddAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken);

    /// <summary>The tenant's token with this id, or null.</summary>
    Task<AccessTokenRecord?> GetAccessTokenAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>Revokes the tenant's token (a second revocation keeps the first time); null when the tenant has none with that id.</summary>
    Task<AccessTokenRecord?> RevokeAccessTokenAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every token of the application that has neither expired nor been revoked yet; returns those it revoked.</summary>
    Task<IReadOnlyList<AccessTokenRecord>> RevokeApplicationAccessTokensAsync(string tenant, string applicationId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The ids of revoked tokens that have not expired at <paramref name="now"/>, across tenants (what each node keeps in memory).</summary>
    Task<IReadOnlyList<string>> ListRevokedAccessTokenIdsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The audit trail: reads of documents' bytes and tokens minted or revoked. Its events appear in the application's
/// timeline (<see cref="IApplicationEventStore"/>), which only the tenant and the application's own tokens can list.
/// </summary>
public interface IAuditEventStore
{
    /// <summary>Appends one event; the trail is append-only.</summary>
    Task AddAuditEventAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Signing keys kept by the store when none are configured, by purpose ("access-tokens"), so that every node sharing
/// the store signs and checks with the same key and none generates its own.
/// </summary>
public interface ISigningKeyStore
{
    /// <summary>The stored keys of <paramref name="purpose"/> as PEM text (P-256 private keys), oldest first.</summary>
    Task<IReadOnlyList<string>> ListSigningKeysAsync(string purpose, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="pem"/> as the first key of <paramref name="purpose"/>, unless one is stored already (another node came first).</summary>
    Task AddFirstSigningKeyAsync(string purpose, string pem, DateTimeOffset now, CancellationToken cancellationToken);
}
