using DocEngine.Core.Storage;
using DocEngine.Core.Storage.Embedded;
using DocEngine.Core.Uploads;
using DocEngine.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocEngine.Tests.Core;

/// <summary>
/// The upload manager itself across a simulated crash: a new manager on the same files sees only the last commit,
/// cuts off bytes written after it, and finishes with the right hash. Run in isolation because it also checks that
/// every buffer rented from the document pool is returned.
/// </summary>
[Collection(BufferAccounting.Collection)]
public sealed class UploadRestartTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task After_a_crash_the_offset_is_the_last_commit_and_bytes_past_it_are_cut_off()
    {
        var baseline = DocumentBuffers.Outstanding;
        var bytes = TestData.Bytes(3 << 20, seed: 71);
        var storage = await EmbeddedStorage.OpenAsync(_data.Path, CancellationToken.None);
        var before = NewManager(storage);
        var upload = await before.CreateAsync("t", new NewUpload(null, "scan.pdf", "", bytes.Length, null), CancellationToken.None);
        var writer = await before.OpenWriterAsync("t", upload.Id, 0, CancellationToken.None);
        await writer.WriteAsync(bytes.AsMemory(0, 1 << 20), null);
        Assert.Equal(1 << 20, await writer.CommitAsync(CancellationToken.None));
        await writer.WriteAsync(bytes.AsMemory(1 << 20, 1 << 20), null); // written, never committed: then the process "dies"
        var partFile = storage.Parts.PathOf(upload.Id);
        Assert.Equal(2 << 20, new FileInfo(partFile).Length);

        var after = NewManager(await EmbeddedStorage.OpenAsync(_data.Path, CancellationToken.None));
        Assert.Equal(1 << 20, (await after.GetAsync("t", upload.Id, CancellationToken.None)).CommittedOffset);
        await using (var resumed = await after.OpenWriterAsync("t", upload.Id, 1 << 20, CancellationToken.None))
        {
            Assert.Equal(1 << 20, new FileInfo(partFile).Length);
            await resumed.WriteAsync(bytes.AsMemory(1 << 20), null);
            var document = await resumed.CompleteAsync(TestData.Sha256(bytes), CancellationToken.None);
            Assert.Equal(TestData.Sha256(bytes), document.Sha256);
        }

        var reader = new DocumentReader(storage.Blobs);
        var document2 = (await storage.Metadata.ListApplicationsAsync("t", 0, null, CancellationToken.None)).Items.Single();
        var stored = (await storage.Metadata.ListDocumentsAsync("t", document2.Id, 0, null, CancellationToken.None))!.Items.Single();
        var read = new List<byte>();
        await foreach (var piece in reader.ReadAsync(stored, 100, 1000, CancellationToken.None))
        {
            read.AddRange(piece.ToArray());
        }
        Assert.Equal(bytes[100..1100], read.ToArray());
        Assert.Equal(baseline, DocumentBuffers.Outstanding);
    }

    public void Dispose() => _data.Dispose();

    private UploadManager NewManager(EmbeddedStorage storage) => new(
        new UploadOptions(), storage.Metadata, storage.Metadata, storage.Metadata, storage.Blobs, storage.Parts, storage.Limits,
        StorageNode.Open("test", _data.Path), TimeProvider.System, NullLogger<UploadManager>.Instance);
}

/// <summary>Tests that count rented document buffers run alone: other tests rent from the same pool.</summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class BufferAccounting
{
    public const string Collection = "Buffer accounting";
}
