namespace DocEngine.Core.Access;

/// <summary>What a valid applicant token grants: <paramref name="Permissions"/> on one application of one tenant, until <paramref name="ExpiresAt"/>.</summary>
public sealed record AccessGrant(string TokenId, string Tenant, string ApplicationId, AccessPermissions Permissions, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The actor the audit trail records for calls made with this token.</summary>
    public string Actor => "token:" + TokenId;
}
