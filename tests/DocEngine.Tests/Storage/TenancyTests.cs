using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Storage;

/// <summary>A tenant sees only its own resources; another tenant's are NOT_FOUND, never PERMISSION_DENIED (existence is not leaked).</summary>
public sealed class TenancyTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task Tenant_b_cannot_get_list_or_download_tenant_a_documents()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(DocEngineFactory.KeyA), TestData.Bytes(1234, seed: 21));
        var asB = factory.Invoker(DocEngineFactory.KeyB);
        var documents = new DocumentService.DocumentServiceClient(asB);
        var applications = new ApplicationService.ApplicationServiceClient(asB);

        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            documents.GetDocumentAsync(new GetDocumentRequest { Name = document.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Clients.DownloadAsync(asB, document.Name));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            documents.ListDocumentsAsync(new ListDocumentsRequest { Parent = document.Application }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            applications.GetApplicationAsync(new GetApplicationRequest { Name = document.Application }).ResponseAsync);
        var listed = await applications.ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1000 });
        Assert.DoesNotContain(listed.Applications, a => a.Name == document.Application);
    }

    [Fact]
    public async Task Tenant_b_cannot_see_write_complete_or_cancel_tenant_a_uploads_nor_add_to_its_applications()
    {
        var asA = new UploadService.UploadServiceClient(factory.Invoker(DocEngineFactory.KeyA));
        var session = (await asA.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "p.pdf" } })).Session;
        var asB = new UploadService.UploadServiceClient(factory.Invoker(DocEngineFactory.KeyB));

        await Clients.AssertRefusedAsync(StatusCode.NotFound, "UPLOAD_NOT_FOUND", () => asB.GetUploadStatusAsync(new GetUploadStatusRequest { Name = session.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "UPLOAD_NOT_FOUND", () =>
            asB.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(5)).Data }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "UPLOAD_NOT_FOUND", () => asB.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "UPLOAD_NOT_FOUND", () => asB.CancelUploadAsync(new CancelUploadRequest { Name = session.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            asB.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Application = session.Application } }).ResponseAsync);

        Assert.Equal(UploadState.Open, (await asA.GetUploadStatusAsync(new GetUploadStatusRequest { Name = session.Name })).Session.State);
    }

    [Fact]
    public async Task A_call_without_a_key_is_unauthenticated()
    {
        var anonymous = new ApplicationService.ApplicationServiceClient(factory.Invoker(apiKey: null));
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", () => anonymous.ListApplicationsAsync(new ListApplicationsRequest()).ResponseAsync);
    }

    [Fact]
    public async Task A_call_with_a_wrong_key_is_unauthenticated()
    {
        var stranger = new UploadService.UploadServiceClient(factory.Invoker("not-a-key"));
        await Clients.AssertRefusedAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () =>
            stranger.CreateUploadSessionAsync(new CreateUploadSessionRequest()).ResponseAsync);
    }

    [Fact]
    public async Task The_key_is_also_accepted_as_x_api_key()
    {
        var client = new ApplicationService.ApplicationServiceClient(factory.Invoker(apiKey: null));
        var headers = new Metadata { { "x-api-key", DocEngineFactory.KeyB } };
        var created = await client.CreateApplicationAsync(new CreateApplicationRequest(), headers);
        Assert.StartsWith("applications/", created.Application.Name);
    }
}
