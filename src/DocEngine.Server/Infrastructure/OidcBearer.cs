using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// OAuth2/OIDC bearer JWTs as tenant credentials, checked by ASP.NET Core's JwtBearer handler: issuer, audience, lifetime
/// and signature against the provider's keys (a JWKS file, a JWKS URL, or the discovery document of
/// <see cref="OidcOptions.Authority"/>); the tenant is the configured claim.
/// </summary>
public static class OidcBearer
{
    /// <summary>The authentication scheme's name.</summary>
    public const string Scheme = "oidc";

    /// <summary>Registers the JwtBearer handler when <c>DocEngine:Oidc:Issuer</c> is set.</summary>
    public static void AddOidcBearer(this IServiceCollection services, OidcOptions options, string contentRoot)
    {
        var authentication = services.AddAuthentication();
        if (!options.Enabled)
        {
            return;
        }
        authentication.AddJwtBearer(Scheme, bearer =>
        {
            bearer.MapInboundClaims = false; // claims keep the names the provider gave them ("sub", "tenant")
            bearer.RequireHttpsMetadata = options.RequireHttpsMetadata;
            bearer.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                ValidateAudience = true,
                ValidateIssuer = true,
                ValidateLifetime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            if (options.JwksFile.Length > 0)
            {
                var path = Path.GetFullPath(options.JwksFile, contentRoot);
                bearer.TokenValidationParameters.IssuerSigningKeys = new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys();
            }
            else if (options.JwksUrl.Length > 0)
            {
                bearer.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(options.JwksUrl, new JwksRetriever(),
                    new HttpDocumentRetriever { RequireHttps = options.RequireHttpsMetadata });
            }
            else if (options.Authority.Length > 0)
            {
                bearer.Authority = options.Authority;
            }
            else
            {
                throw new InvalidOperationException("DocEngine:Oidc:Issuer is set but no keys are: set DocEngine:Oidc:JwksFile, JwksUrl or Authority.");
            }
        });
    }

    /// <summary>The tenant and subject of a valid bearer token in the call's Authorization header; a refusal with a sentence otherwise.</summary>
    public static async Task<(string Tenant, string Subject)> AuthenticateAsync(HttpContext http, OidcOptions options)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (!result.Succeeded)
        {
            throw Refusal(result.Failure, options);
        }
        var principal = result.Principal;
        var tenant = principal.FindFirst(options.TenantClaim)?.Value;
        if (string.IsNullOrWhiteSpace(tenant))
        {
            throw new DocEngineException(ErrorKind.Unauthenticated, "OIDC_TENANT_CLAIM_MISSING",
                $"This bearer token has no '{options.TenantClaim}' claim, which names the tenant: ask your identity provider to add it (DocEngine:Oidc:TenantClaim).");
        }
        var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst("azp")?.Value ?? principal.FindFirst("client_id")?.Value ?? "unknown";
        return (tenant, subject);
    }

    private static DocEngineException Refusal(Exception? failure, OidcOptions options) => failure switch
    {
        SecurityTokenInvalidAudienceException => new(ErrorKind.Unauthenticated, "OIDC_AUDIENCE_INVALID",
            $"This bearer token is meant for another service: ask your identity provider for a token whose audience is '{options.Audience}'."),
        SecurityTokenInvalidIssuerException => new(ErrorKind.Unauthenticated, "OIDC_ISSUER_INVALID",
            $"This bearer token comes from an issuer this server does not trust: only tokens from '{options.Issuer}' are accepted."),
        SecurityTokenExpiredException => new(ErrorKind.Unauthenticated, "OIDC_TOKEN_EXPIRED",
            "This bearer token has expired: get a new one from your identity provider."),
        SecurityTokenNotYetValidException => new(ErrorKind.Unauthenticated, "OIDC_TOKEN_NOT_YET_VALID",
            "This bearer token is not valid yet: check the clocks of your identity provider and of this server."),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => new(ErrorKind.Unauthenticated, "OIDC_SIGNATURE_INVALID",
            "This bearer token's signature does not check with the identity provider's published keys: get a new token, or ask the operators to check DocEngine:Oidc."),
        _ => new(ErrorKind.Unauthenticated, "BEARER_TOKEN_INVALID",
            "This bearer token is not one this server accepts: send your portal's API key, an OIDC token from the configured issuer, or an applicant token minted by CreateAccessToken."),
    };

    /// <summary>Reads a plain JWKS document (not a discovery document) into the configuration JwtBearer checks signatures with.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var keys = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false));
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keys };
            foreach (var key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }
            return configuration;
        }
    }
}
