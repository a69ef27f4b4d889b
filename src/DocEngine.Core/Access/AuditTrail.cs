using DocEngine.Core.Storage;

namespace DocEngine.Core.Access;

/// <summary>
/// Records who read which document's bytes, and which tokens were minted and revoked, in the application's timeline.
/// An event is written before the bytes are sent: a read that cannot be recorded does not happen.
/// </summary>
public sealed class AuditTrail(IAuditEventStore store, TimeProvider time)
{
    /// <summary>Records one event about <paramref name="applicationId"/>; <paramref name="tokenId"/> is empty for a tenant's own credentials.</summary>
    public Task RecordAsync(string tenant, string applicationId, ApplicationEventKind kind, string resource, string description, string actor, string tokenId,
        CancellationToken cancellationToken) =>
        store.AddAuditEventAsync(new AuditEventRecord(tenant, applicationId, time.GetUtcNow(), kind, resource, description, actor, tokenId), cancellationToken);

    /// <summary>How an actor reads in a sentence: "applicant token abc…", "API key 'portal-backend'", "OIDC subject x".</summary>
    public static string Describe(string actor) => actor.Split(':', 2) switch
    {
        ["token", var id] => $"applicant token {id}",
        ["key", var name] => $"API key {name}",
        ["oidc", var subject] => $"OIDC subject {subject}",
        _ => actor,
    };
}
