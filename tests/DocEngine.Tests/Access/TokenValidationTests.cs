using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace DocEngine.Tests.Access;

/// <summary>
/// Applicant tokens that must not work — expired, signed with another key, altered, revoked (here, or by another node
/// through the shared store) — are UNAUTHENTICATED with a sentence, on a real server process.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class TokenValidationTests(AccessServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task An_expired_token_is_unauthenticated()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var expired = Forge(servers.StoredSigningKey(), application, issuedAgo: TimeSpan.FromMinutes(40), lifetime: TimeSpan.FromMinutes(30));
        var fresh = Forge(servers.StoredSigningKey(), application, issuedAgo: TimeSpan.FromMinutes(1), lifetime: TimeSpan.FromMinutes(30));

        Assert.Equal(document.Sha256, (await GetAsync(fresh, document.Name)).Sha256); // the forging is right: a live one works
        var info = await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_EXPIRED", () => GetAsync(expired, document.Name));
        Assert.NotNull(info);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_unauthenticated()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var impostor = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = servers.StoredSigningKey().KeyId }; // same kid, other key
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_INVALID", () => GetAsync(Forge(impostor, application), document.Name));
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_is_unauthenticated()
    {
        var (applicationA, _) = await servers.NewApplicationWithDocumentAsync();
        var (applicationB, documentB) = await servers.NewApplicationWithDocumentAsync();
        var token = (await servers.MintAsync(applicationA)).Token;
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(applicationA, applicationB, StringComparison.Ordinal);
        var altered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_INVALID", () => GetAsync(altered, documentB.Name));
        var unsigned = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{parts[1]}.";
        await Assert.ThrowsAsync<RpcException>(() => GetAsync(unsigned, documentB.Name)); // "none" is never an algorithm
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once_by_the_node_that_revoked_it()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var minted = await servers.MintAsync(application);
        Assert.Equal(document.Sha256, (await GetAsync(minted.Token, document.Name)).Sha256);

        var revoked = await new AccessService.AccessServiceClient(servers.Node1.Invoker(AccessServers.DevelopmentKey))
            .RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Name = minted.AccessToken.Name });

        Assert.NotNull(Assert.Single(revoked.AccessTokens).RevokeTime);
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_REVOKED", () => GetAsync(minted.Token, document.Name));
    }

    [Fact]
    public async Task A_token_revoked_by_another_node_through_the_shared_store_is_refused_within_seconds()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var minted = await servers.MintAsync(application);
        Assert.Equal(document.Sha256, (await GetAsync(minted.Token, document.Name)).Sha256);

        var clock = Stopwatch.StartNew();
        servers.RevokeAsAnotherNode(minted.AccessToken.Name["accessTokens/".Length..]);
        while (true)
        {
            try
            {
                await GetAsync(minted.Token, document.Name);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                Assert.Contains("revoked", e.Status.Detail);
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The node still accepts a token revoked in the shared store 30 s ago.");
            await Task.Delay(100);
        }
        output.WriteLine($"The node refused the token {clock.Elapsed.TotalMilliseconds:F0} ms after another node revoked it in the store (refresh interval 1 s).");
    }

    [Fact]
    public async Task Revoking_an_application_revokes_all_its_tokens_and_nothing_else()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var (other, otherDocument) = await servers.NewApplicationWithDocumentAsync();
        var first = await servers.MintAsync(application);
        var second = await servers.MintAsync(application, AccessPermission.Read);
        var unrelated = await servers.MintAsync(other);

        var revoked = await new AccessService.AccessServiceClient(servers.Node1.Invoker(AccessServers.DevelopmentKey))
            .RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Application = application });

        Assert.Equal(new[] { first.AccessToken.Name, second.AccessToken.Name }.Order(), revoked.AccessTokens.Select(t => t.Name).Order());
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_REVOKED", () => GetAsync(first.Token, document.Name));
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "TOKEN_REVOKED", () => GetAsync(second.Token, document.Name));
        Assert.Equal(otherDocument.Sha256, (await GetAsync(unrelated.Token, otherDocument.Name)).Sha256);
    }

    [Fact]
    public async Task Another_tenant_cannot_revoke_or_mint_for_this_tenants_applications()
    {
        var (application, _) = await servers.NewApplicationWithDocumentAsync();
        var minted = await servers.MintAsync(application);
        var access = new AccessService.AccessServiceClient(servers.Node1.Invoker(ServerProcess.TenantBKey));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "ACCESS_TOKEN_NOT_FOUND", () =>
            access.RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Name = minted.AccessToken.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            access.CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = application }).ResponseAsync);
    }

    private async Task<Document> GetAsync(string token, string name) =>
        (await new DocumentService.DocumentServiceClient(servers.Node1.Invoker(token)).GetDocumentAsync(new GetDocumentRequest { Name = name })).Document;

    /// <summary>A token as the server mints them, signed with <paramref name="key"/>, issued <paramref name="issuedAgo"/> ago.</summary>
    private static string Forge(SecurityKey key, string application, TimeSpan? issuedAgo = null, TimeSpan? lifetime = null)
    {
        var issued = DateTime.UtcNow - (issuedAgo ?? TimeSpan.FromMinutes(1));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "docengine",
            Audience = "docengine",
            TokenType = "at+jwt",
            IssuedAt = issued,
            NotBefore = issued,
            Expires = issued + (lifetime ?? TimeSpan.FromMinutes(30)),
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", application), new Claim("jti", "forged" + Guid.NewGuid().ToString("N")[..10]), new Claim("tenant", "development"), new Claim("scope", "upload read"),
            ]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }
}
