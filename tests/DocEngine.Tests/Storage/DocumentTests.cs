using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Storage;

/// <summary>Documents are listed, downloaded in ranges, deduplicated, and checked against their hash on every read.</summary>
public sealed class DocumentTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task A_byte_range_download_returns_exactly_that_range()
    {
        var data = TestData.Bytes(3_000_000, seed: 31);
        var invoker = factory.Invoker();
        var document = await Clients.UploadStreamingAsync(invoker, data);

        Assert.Equal(data[1_500_000..1_600_123], await Clients.DownloadAsync(invoker, document.Name, offset: 1_500_000, length: 100_123));
        Assert.Equal(data[2_999_000..], await Clients.DownloadAsync(invoker, document.Name, offset: 2_999_000));
        Assert.Empty(await Clients.DownloadAsync(invoker, document.Name, offset: 3_000_000));
        await Clients.AssertRefusedAsync(StatusCode.OutOfRange, "RANGE_OUTSIDE_DOCUMENT", () => Clients.DownloadAsync(invoker, document.Name, offset: 2_999_999, length: 2));
    }

    [Fact]
    public async Task Identical_bytes_are_stored_once_and_listed_as_two_documents()
    {
        var data = TestData.Bytes(50_000, seed: 32);
        var invoker = factory.Invoker();
        var application = (await new ApplicationService.ApplicationServiceClient(invoker).CreateApplicationAsync(new CreateApplicationRequest())).Application.Name;
        var one = await Clients.UploadStreamingAsync(invoker, data, application: application);
        var two = await Clients.UploadUnaryAsync(invoker, data, application: application);

        Assert.NotEqual(one.Name, two.Name);
        Assert.Equal(one.Sha256, two.Sha256);
        Assert.Single(Directory.GetFiles(Path.Combine(factory.DataDirectory, "blobs"), one.Sha256, SearchOption.AllDirectories));

        var page1 = await new DocumentService.DocumentServiceClient(invoker).ListDocumentsAsync(new ListDocumentsRequest { Parent = application, PageSize = 1 });
        var page2 = await new DocumentService.DocumentServiceClient(invoker).ListDocumentsAsync(new ListDocumentsRequest { Parent = application, PageSize = 1, PageToken = page1.NextPageToken });
        Assert.Equal(one.Name, Assert.Single(page1.Documents).Name);
        Assert.Equal(two.Name, Assert.Single(page2.Documents).Name);
        Assert.Equal("", page2.NextPageToken);
    }

    [Fact]
    public async Task A_stored_blob_that_no_longer_matches_its_hash_fails_the_download_with_data_loss_until_the_bytes_arrive_again()
    {
        var invoker = factory.Invoker();
        var document = await Clients.UploadStreamingAsync(invoker, TestData.Bytes(10_000, seed: 33));
        var blob = Directory.GetFiles(Path.Combine(factory.DataDirectory, "blobs"), document.Sha256, SearchOption.AllDirectories).Single();
        File.SetUnixFileMode(blob, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var file = File.OpenWrite(blob))
        {
            file.Position = 5000;
            file.WriteByte(0x42);
        }

        await Clients.AssertRefusedAsync(StatusCode.DataLoss, "BLOB_CORRUPT", () => Clients.DownloadAsync(invoker, document.Name));
        await Clients.AssertRefusedAsync(StatusCode.DataLoss, "BLOB_CORRUPT", () => Clients.DownloadAsync(invoker, document.Name, offset: 10, length: 10));

        // Uploading the same bytes again replaces the rotten copy, and the first document reads correctly again.
        await Clients.UploadStreamingAsync(invoker, TestData.Bytes(10_000, seed: 33));
        Assert.Equal(TestData.Bytes(10_000, seed: 33), await Clients.DownloadAsync(invoker, document.Name));
    }

    [Fact]
    public async Task A_missing_blob_fails_the_download_with_data_loss()
    {
        var invoker = factory.Invoker();
        var document = await Clients.UploadStreamingAsync(invoker, TestData.Bytes(10_000, seed: 34));
        File.Delete(Directory.GetFiles(Path.Combine(factory.DataDirectory, "blobs"), document.Sha256, SearchOption.AllDirectories).Single());

        await Clients.AssertRefusedAsync(StatusCode.DataLoss, "BLOB_MISSING", () => Clients.DownloadAsync(invoker, document.Name));
    }

    [Fact]
    public async Task Stored_blobs_are_read_only_files_named_by_their_hash()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), TestData.Bytes(777, seed: 35));
        var blob = Path.Combine(factory.DataDirectory, "blobs", "sha256", document.Sha256[..2], document.Sha256[2..4], document.Sha256);

        Assert.Equal(document.Sha256, TestData.Sha256OfFile(blob));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(blob));
    }
}
