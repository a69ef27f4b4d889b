using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>Idle sessions expire after 24 hours by default and are garbage-collected with their bytes; activity extends them.</summary>
public sealed class UploadExpiryTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public async Task An_idle_session_expires_is_collected_with_its_bytes_and_refuses_further_chunks()
    {
        var uploads = new UploadService.UploadServiceClient(factory.Invoker());
        var session = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "late.pdf" } })).Session;
        await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(1000)).Data });
        var partFile = Path.Combine(factory.DataDirectory, "uploads", session.Name["uploads/".Length..] + ".part");
        Assert.True(File.Exists(partFile));

        factory.Time.Advance(TimeSpan.FromHours(23));
        await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 1000, Data = Clients.Chunk(TestData.Bytes(10)).Data });
        factory.Time.Advance(TimeSpan.FromHours(23)); // 46 h after creation but 23 h after the last append: still open
        Assert.Equal(UploadState.Open, (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = session.Name })).Session.State);

        factory.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(UploadState.Expired, (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = session.Name })).Session.State);
        var collected = await factory.Uploads.CollectAsync(CancellationToken.None);

        Assert.True(collected.ExpiredSessions >= 1);
        Assert.False(File.Exists(partFile));
        await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_EXPIRED", () =>
            uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 1010, Data = Clients.Chunk(TestData.Bytes(10)).Data }).ResponseAsync);
    }

    [Fact]
    public async Task Collection_deletes_part_files_that_no_open_session_owns()
    {
        var uploads = factory.Uploads; // starts the server, which creates the uploads folder
        var stray = Path.Combine(factory.DataDirectory, "uploads", "leftover-from-a-crash.part");
        await File.WriteAllBytesAsync(stray, TestData.Bytes(100));

        var collected = await uploads.CollectAsync(CancellationToken.None);

        Assert.True(collected.OrphanPartFiles >= 1);
        Assert.False(File.Exists(stray));
    }

    [Fact]
    public async Task A_cancelled_upload_loses_its_bytes_and_cannot_be_resumed()
    {
        var uploads = new UploadService.UploadServiceClient(factory.Invoker());
        var session = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "oops.pdf" } })).Session;
        await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(1000)).Data });

        var cancelled = (await uploads.CancelUploadAsync(new CancelUploadRequest { Name = session.Name })).Session;

        Assert.Equal(UploadState.Cancelled, cancelled.State);
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "uploads", session.Name["uploads/".Length..] + ".part")));
        await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_CANCELLED", () =>
            uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 1000, Data = Clients.Chunk(TestData.Bytes(1)).Data }).ResponseAsync);
    }
}
