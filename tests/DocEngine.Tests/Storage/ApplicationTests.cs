using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Storage;

/// <summary>Applications hold documents; supplementary documents are added at any time and never overwrite.</summary>
public sealed class ApplicationTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private ApplicationService.ApplicationServiceClient Applications => new(factory.Invoker());

    [Fact]
    public async Task An_application_can_be_created_with_a_chosen_id_got_and_not_created_twice()
    {
        var created = (await Applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "PR-2026-000123", DisplayName = "Family A" })).Application;
        Assert.Equal("applications/PR-2026-000123", created.Name);

        var got = (await Applications.GetApplicationAsync(new GetApplicationRequest { Name = created.Name })).Application;
        Assert.Equal("Family A", got.DisplayName);
        Assert.Null(got.SubmitTime);

        await Clients.AssertRefusedAsync(StatusCode.AlreadyExists, "APPLICATION_EXISTS", () =>
            Applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "PR-2026-000123" }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "INVALID_APPLICATION_ID", () =>
            Applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "has space" }).ResponseAsync);
    }

    [Fact]
    public async Task Listing_applications_pages_through_all_of_them_once()
    {
        var mine = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            mine.Add((await Applications.CreateApplicationAsync(new CreateApplicationRequest())).Application.Name);
        }

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await Applications.ListApplicationsAsync(new ListApplicationsRequest { PageSize = 2, PageToken = token });
            Assert.InRange(page.Applications.Count, 1, 2);
            seen.AddRange(page.Applications.Select(a => a.Name));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), mine);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN", () =>
            Applications.ListApplicationsAsync(new ListApplicationsRequest { PageToken = "garbage" }).ResponseAsync);
    }

    [Fact]
    public async Task Documents_added_after_submission_are_supplementary_and_same_names_get_new_versions()
    {
        var application = (await Applications.CreateApplicationAsync(new CreateApplicationRequest())).Application.Name;
        var invoker = factory.Invoker();
        var first = await Clients.UploadStreamingAsync(invoker, TestData.Bytes(100, seed: 1), application: application, filename: "passport.pdf");

        var submitted = (await Applications.SubmitApplicationAsync(new SubmitApplicationRequest { Name = application })).Application;
        Assert.NotNull(submitted.SubmitTime);
        var again = (await Applications.SubmitApplicationAsync(new SubmitApplicationRequest { Name = application })).Application;
        Assert.Equal(submitted.SubmitTime, again.SubmitTime);

        var replacement = await Clients.UploadStreamingAsync(invoker, TestData.Bytes(200, seed: 2), application: application, filename: "passport.pdf");
        var other = await Clients.UploadUnaryAsync(factory.Invoker(grpcWeb: true), TestData.Bytes(300, seed: 3), application: application);

        Assert.False(first.Supplementary);
        Assert.Equal(1, first.Version);
        Assert.True(replacement.Supplementary);
        Assert.Equal(2, replacement.Version);
        Assert.True(other.Supplementary);

        var documents = (await new DocumentService.DocumentServiceClient(invoker).ListDocumentsAsync(new ListDocumentsRequest { Parent = application })).Documents;
        Assert.Equal([first.Name, replacement.Name, other.Name], documents.Select(d => d.Name));
        Assert.Equal(TestData.Bytes(100, seed: 1), await Clients.DownloadAsync(invoker, first.Name)); // never overwritten
        Assert.Equal(3, (await Applications.GetApplicationAsync(new GetApplicationRequest { Name = application })).Application.DocumentCount);
    }
}
