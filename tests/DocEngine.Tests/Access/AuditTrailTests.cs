using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Access;

/// <summary>
/// Every read of a document's bytes (download or previews) and every token minted or revoked is an event in the
/// application's timeline, saying who, with which token, and when; the tenant sees it, another applicant never does.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class AuditTrailTests(AccessServers servers)
{
    [Fact]
    public async Task Reads_mints_and_revocations_appear_in_the_applications_timeline_for_the_tenant_only()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var (other, _) = await servers.NewApplicationWithDocumentAsync();
        var minted = await servers.MintAsync(application);
        var tokenId = minted.AccessToken.Name["accessTokens/".Length..];
        var asApplicant = servers.Node1.Invoker(minted.Token);

        await Clients.DownloadAsync(asApplicant, document.Name);
        await Clients.ReadAllAsync(new PreviewService.PreviewServiceClient(asApplicant)
            .RenderPreviews(new RenderPreviewsRequest { Name = document.Name, Pages = "1", Width = 200 }).ResponseStream);
        await Clients.DownloadAsync(servers.Node1.Invoker(AccessServers.DevelopmentKey), document.Name, offset: 10, length: 100); // the tenant
        await new AccessService.AccessServiceClient(servers.Node1.Invoker(AccessServers.DevelopmentKey))
            .RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Name = minted.AccessToken.Name });

        var events = (await new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(AccessServers.DevelopmentKey))
            .ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = application })).Events;
        var created = Assert.Single(events, e => e.Kind == ApplicationEventKind.AccessTokenCreated);
        Assert.Equal(minted.AccessToken.Name, created.AccessToken);
        Assert.StartsWith("key:", created.Actor);
        var reads = events.Where(e => e.Kind == ApplicationEventKind.DocumentRead).ToList();
        Assert.Equal(3, reads.Count);
        Assert.All(reads, r => Assert.Equal(document.Name, r.Resource));
        Assert.Equal(["token:" + tokenId, "token:" + tokenId], reads.Take(2).Select(r => r.Actor));
        Assert.Equal([minted.AccessToken.Name, minted.AccessToken.Name, ""], reads.Select(r => r.AccessToken));
        Assert.Contains("downloaded (bytes 0–", reads[0].Description);
        Assert.Contains("previews", reads[1].Description);
        Assert.Contains("bytes 10–110", reads[2].Description);
        Assert.StartsWith("key:", reads[2].Actor);
        var revoked = Assert.Single(events, e => e.Kind == ApplicationEventKind.AccessTokenRevoked);
        Assert.Equal(minted.AccessToken.Name, revoked.AccessToken);
        Assert.True(created.Time.ToDateTimeOffset() <= reads[0].Time.ToDateTimeOffset() && reads[2].Time.ToDateTimeOffset() <= revoked.Time.ToDateTimeOffset());

        // Another application's applicant cannot list this timeline, and learns nothing about it.
        var stranger = servers.Node1.Invoker((await servers.MintAsync(other)).Token);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            new ApplicationService.ApplicationServiceClient(stranger).ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = application }).ResponseAsync);
        // Nor does another tenant.
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(ServerProcess.TenantBKey))
                .ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = application }).ResponseAsync);
    }
}
