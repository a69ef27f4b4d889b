using System.Security.Cryptography;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;

namespace DocEngine.Tests.Access;

/// <summary>
/// OAuth2/OIDC bearer JWTs from the configured issuer (a test issuer whose keys are a JWKS file) are tenant credentials:
/// the configured claim names the tenant; a wrong audience, a wrong issuer, another key or a missing claim is refused.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class OidcBearerTests(AccessServers servers)
{
    [Fact]
    public async Task The_tenant_claim_of_a_valid_token_is_the_tenant()
    {
        var asIssuer = new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(servers.Issuer.Token(tenant: "process-tenant-b")));
        var created = (await asIssuer.CreateApplicationAsync(new CreateApplicationRequest())).Application;

        // Tenant B's API key sees it; the Development tenant does not.
        var asB = new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(ServerProcess.TenantBKey));
        Assert.Equal(created.Name, (await asB.GetApplicationAsync(new GetApplicationRequest { Name = created.Name })).Application.Name);
        var asDevelopment = new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(AccessServers.DevelopmentKey));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            asDevelopment.GetApplicationAsync(new GetApplicationRequest { Name = created.Name }).ResponseAsync);

        // The OIDC caller is a tenant: it may mint applicant tokens, and the timeline says it did.
        var minted = await new AccessService.AccessServiceClient(servers.Node1.Invoker(servers.Issuer.Token(tenant: "process-tenant-b")))
            .CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = created.Name });
        var events = await asB.ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = created.Name });
        var mint = Assert.Single(events.Events, e => e.Kind == ApplicationEventKind.AccessTokenCreated);
        Assert.Equal("oidc:portal-backend-service", mint.Actor);
        Assert.Equal(minted.AccessToken.Name, mint.AccessToken);
    }

    [Fact]
    public async Task A_wrong_audience_is_refused()
    {
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_AUDIENCE_INVALID", () => ListAsync(servers.Issuer.Token(audience: "another-service")));
    }

    [Fact]
    public async Task A_wrong_issuer_is_refused()
    {
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_ISSUER_INVALID", () => ListAsync(servers.Issuer.Token(issuer: "https://evil.test")));
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_issuer_does_not_publish_is_refused()
    {
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "test-issuer-1" };
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_SIGNATURE_INVALID", () => ListAsync(servers.Issuer.Token(signingKey: stranger)));
    }

    [Fact]
    public async Task An_expired_token_or_one_without_the_tenant_claim_is_refused()
    {
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_TOKEN_EXPIRED", () => ListAsync(servers.Issuer.Token(lifetime: TimeSpan.FromMinutes(-5))));
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_TENANT_CLAIM_MISSING", () => ListAsync(servers.Issuer.Token(tenant: null)));
    }

    private Task<ListApplicationsResponse> ListAsync(string token) =>
        new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(token)).ListApplicationsAsync(new ListApplicationsRequest()).ResponseAsync;
}
