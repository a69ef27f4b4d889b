using System.Globalization;
using System.Security.Claims;
using DocEngine.Core.Storage;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocEngine.Core.Access;

/// <summary>
/// Applicant access tokens: JWTs (RFC 9068 "at+jwt", signed ES256 with a key every node shares) naming one tenant, one
/// application ("sub") and the permissions granted ("scope"), valid for minutes. Minting records the token (for
/// revocation) and an audit event; checking verifies the signature, issuer, audience, type, lifetime and the shared
/// revocation list, and says in one sentence what is wrong.
/// </summary>
public sealed class AccessTokens(
    AccessTokenKeys keys,
    IAccessTokenStore store,
    IApplicationStore applications,
    RevocationList revocations,
    AuditTrail audit,
    AccessOptions options,
    TimeProvider time)
{
    private const string TokenType = "at+jwt";
    private const string TenantClaim = "tenant";
    private const string ScopeClaim = "scope";
    private const string ApplicationPrefix = "applications/";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>The options tokens are minted and checked with.</summary>
    public AccessOptions Options => options;

    /// <summary>
    /// Mints a token for <paramref name="applicationId"/> of <paramref name="tenant"/>, recording it and an audit event
    /// by <paramref name="actor"/>. The application must exist.
    /// </summary>
    public async Task<(AccessTokenRecord Record, string Token)> CreateAsync(string tenant, string applicationId, AccessPermissions permissions, TimeSpan? lifetime,
        string actor, CancellationToken cancellationToken)
    {
        var ttl = lifetime ?? options.DefaultLifetime;
        if (ttl < TimeSpan.FromMinutes(1) || ttl > options.MaxLifetime)
        {
            throw new DocEngineException(ErrorKind.OutOfRange, "TOKEN_LIFETIME_OUT_OF_RANGE",
                $"The token's lifetime must be between 1 minute and {Describe(options.MaxLifetime)} (DocEngine:Access:MaxLifetime): ask for a shorter one, or leave it unset for {Describe(options.DefaultLifetime)}.")
            { Field = "ttl" };
        }
        if (permissions == AccessPermissions.None)
        {
            permissions = AccessPermissions.All;
        }
        _ = await applications.GetApplicationAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false)
            ?? throw new DocEngineException(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
                $"There is no application '{applicationId}': create it first (CreateApplication), then mint a token for it.")
            { Field = "application" };

        var now = time.GetUtcNow();
        var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()); // JWT times are whole seconds
        var record = new AccessTokenRecord(tenant, Ids.New(), applicationId, AccessPermissionNames.Format(permissions), issued, issued + ttl, null, actor);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            TokenType = TokenType,
            IssuedAt = issued.UtcDateTime,
            NotBefore = issued.UtcDateTime,
            Expires = record.ExpireTime.UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, ApplicationPrefix + applicationId),
                new Claim(JwtRegisteredClaimNames.Jti, record.Id),
                new Claim(TenantClaim, tenant),
                new Claim(ScopeClaim, record.Permissions),
            ]),
            SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.EcdsaSha256),
        });
        await store.AddAccessTokenAsync(record, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(tenant, applicationId, ApplicationEventKind.AccessTokenCreated, "accessTokens/" + record.Id,
            $"Access token {record.Id} was issued by {AuditTrail.Describe(actor)} for {string.Join(" and ", AccessPermissionNames.Names(permissions))}, " +
            $"valid until {record.ExpireTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC.",
            actor, record.Id, cancellationToken).ConfigureAwait(false);
        DocEngineMetrics.AccessTokensCreated(1);
        return (record, token);
    }

    /// <summary>Whether <paramref name="token"/> claims to be one of ours (a JWT whose issuer is ours): the others are OIDC bearer tokens.</summary>
    public bool IsApplicantToken(string token)
    {
        if (!_handler.CanReadToken(token))
        {
            return false;
        }
        try
        {
            return _handler.ReadJsonWebToken(token).Issuer == options.Issuer;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return false;
        }
    }

    /// <summary>The grant of a valid token; UNAUTHENTICATED with a sentence for anything else.</summary>
    public async Task<AccessGrant> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidTypes = [TokenType],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKeys = keys.All,
            ValidateLifetime = false, // checked below against the server's clock, to say when it expired
            RequireExpirationTime = true,
            TryAllIssuerSigningKeys = false,
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw result.Exception switch
            {
                SecurityTokenMalformedException or ArgumentException => Refusal("TOKEN_MALFORMED",
                    "This access token is damaged (it is not a signed JWT): copy the whole link or token again, or ask the portal for a new one."),
                _ => Refusal("TOKEN_INVALID",
                    "This access token does not check out: it was changed, or it was not issued by this service; ask the portal for a new one."),
            };
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        var grant = ReadGrant(jwt) ?? throw Refusal("TOKEN_INVALID",
            "This access token does not name an application and permissions the way DocEngine's tokens do: ask the portal for a new one.");
        var now = time.GetUtcNow();
        if (now >= grant.ExpiresAt)
        {
            throw Refusal("TOKEN_EXPIRED",
                $"This access token expired at {grant.ExpiresAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC: ask the portal for a new one.");
        }
        if (jwt.ValidFrom > now.UtcDateTime + TimeSpan.FromMinutes(1))
        {
            throw Refusal("TOKEN_NOT_YET_VALID", "This access token is not valid yet: check the clocks, or ask the portal for a new one.");
        }
        if (await revocations.IsRevokedAsync(grant, cancellationToken).ConfigureAwait(false))
        {
            throw Refusal("TOKEN_REVOKED", "This access token was revoked: ask the portal for a new one.");
        }
        return grant;
    }

    /// <summary>Revokes one token of the tenant; NOT_FOUND when the tenant has none with that id.</summary>
    public async Task<IReadOnlyList<AccessTokenRecord>> RevokeAsync(string tenant, string tokenId, string actor, CancellationToken cancellationToken)
    {
        var revoked = (Ids.IsValid(tokenId) ? await store.RevokeAccessTokenAsync(tenant, tokenId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) : null)
            ?? throw new DocEngineException(ErrorKind.NotFound, "ACCESS_TOKEN_NOT_FOUND",
                $"There is no access token '{tokenId}': check the id CreateAccessToken returned.")
            { Field = "name" };
        await AfterRevokingAsync([revoked], actor, cancellationToken).ConfigureAwait(false);
        return [revoked];
    }

    /// <summary>Revokes every live token of one application of the tenant; NOT_FOUND when the tenant has no such application.</summary>
    public async Task<IReadOnlyList<AccessTokenRecord>> RevokeApplicationAsync(string tenant, string applicationId, string actor, CancellationToken cancellationToken)
    {
        _ = await applications.GetApplicationAsync(tenant, applicationId, cancellationToken).ConfigureAwait(false)
            ?? throw new DocEngineException(ErrorKind.NotFound, "APPLICATION_NOT_FOUND",
                $"There is no application '{applicationId}': check the name, or list your applications.")
            { Field = "application" };
        var revoked = await store.RevokeApplicationAccessTokensAsync(tenant, applicationId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await AfterRevokingAsync(revoked, actor, cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    private async Task AfterRevokingAsync(IReadOnlyList<AccessTokenRecord> revoked, string actor, CancellationToken cancellationToken)
    {
        foreach (var token in revoked)
        {
            revocations.Add(token.Id);
            await audit.RecordAsync(token.Tenant, token.ApplicationId, ApplicationEventKind.AccessTokenRevoked, "accessTokens/" + token.Id,
                $"Access token {token.Id} was revoked by {AuditTrail.Describe(actor)}.", actor, token.Id, cancellationToken).ConfigureAwait(false);
        }
        DocEngineMetrics.AccessTokensRevoked(revoked.Count);
    }

    private AccessGrant? ReadGrant(JsonWebToken jwt)
    {
        var subject = jwt.Subject;
        if (!jwt.TryGetPayloadValue<string>(TenantClaim, out var tenant) || string.IsNullOrEmpty(tenant)
            || !jwt.TryGetPayloadValue<string>(ScopeClaim, out var scope) || !AccessPermissionNames.TryParse(scope, out var permissions)
            || subject is null || !subject.StartsWith(ApplicationPrefix, StringComparison.Ordinal) || !Ids.IsValid(subject[ApplicationPrefix.Length..])
            || !Ids.IsValid(jwt.Id) || jwt.ValidTo == DateTime.MinValue)
        {
            return null;
        }
        return new AccessGrant(jwt.Id, tenant, subject[ApplicationPrefix.Length..], permissions,
            new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private static DocEngineException Refusal(string reason, string sentence) => new(ErrorKind.Unauthenticated, reason, sentence);

    private static string Describe(TimeSpan span) => span.TotalHours >= 1 && span.Minutes == 0
        ? $"{span.TotalHours:0} hour(s)"
        : $"{span.TotalMinutes:0} minutes";
}
