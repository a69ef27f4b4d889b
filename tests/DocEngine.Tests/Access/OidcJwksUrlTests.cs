using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DocEngine.Tests.Access;

/// <summary>The OIDC issuer's keys fetched from a JWKS URL (the provider's own endpoint) instead of a file.</summary>
public sealed class OidcJwksUrlTests(OidcJwksUrlTests.Fixture fixture) : IClassFixture<OidcJwksUrlTests.Fixture>
{
    [Fact]
    public async Task A_token_checked_with_keys_from_a_jwks_url_authenticates_its_tenant()
    {
        var created = await new ApplicationService.ApplicationServiceClient(fixture.Server.Invoker(fixture.Issuer.Token(tenant: "tenant-b")))
            .CreateApplicationAsync(new CreateApplicationRequest());
        var seenByB = await new ApplicationService.ApplicationServiceClient(fixture.Server.Invoker(DocEngineFactory.KeyB))
            .GetApplicationAsync(new GetApplicationRequest { Name = created.Application.Name });
        Assert.Equal(created.Application.Name, seenByB.Application.Name);
        Assert.True(fixture.JwksRequests > 0);
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "OIDC_AUDIENCE_INVALID", () =>
            new ApplicationService.ApplicationServiceClient(fixture.Server.Invoker(fixture.Issuer.Token(tenant: "tenant-b", audience: "elsewhere")))
                .ListApplicationsAsync(new ListApplicationsRequest()).ResponseAsync);
    }

    /// <summary>A JWKS endpoint on loopback, and the server configured to fetch its keys from there.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private WebApplication? _jwks;
        private int _requests;

        public TestIssuer Issuer { get; } = new();

        public DocEngineFactory Server { get; private set; } = null!;

        public int JwksRequests => Volatile.Read(ref _requests);

        public async Task InitializeAsync()
        {
            var url = $"http://127.0.0.1:{DocEngineFactory.FreePort()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1));
            _jwks = builder.Build();
            _jwks.MapGet("/keys", () =>
            {
                Interlocked.Increment(ref _requests);
                return Results.Text(Issuer.JwksJson, "application/json");
            });
            await _jwks.StartAsync();
            Server = new JwksUrlFactory(url + "/keys");
        }

        public async Task DisposeAsync()
        {
            Server.Dispose();
            if (_jwks is not null)
            {
                await _jwks.DisposeAsync();
            }
        }
    }

    private sealed class JwksUrlFactory(string jwksUrl) : DocEngineFactory(new Dictionary<string, string?>
    {
        ["DocEngine:Oidc:Issuer"] = TestIssuer.IssuerName,
        ["DocEngine:Oidc:Audience"] = TestIssuer.Audience,
        ["DocEngine:Oidc:TenantClaim"] = "org",
        ["DocEngine:Oidc:JwksUrl"] = jwksUrl,
        ["DocEngine:Oidc:RequireHttpsMetadata"] = "false",
    });
}
