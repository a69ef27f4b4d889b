using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>
/// The server runs as its own process and is killed with SIGKILL mid-upload, then restarted on the same data
/// directory: every acknowledged byte is still there and the upload completes intact.
/// </summary>
public sealed class ServerCrashTests
{
    private const int Chunk = 256 << 10;

    [Fact]
    public async Task A_streaming_upload_survives_kill_9_and_resumes_after_restart_without_losing_an_acknowledged_byte()
    {
        using var data = new TempDirectory();
        var bytes = TestData.Bytes(96 << 20, seed: 41);
        var port = DocEngineFactory.FreePort();
        string uploadName;
        long acknowledged = 0, sent = 0;
        await using (var first = await ServerProcess.StartAsync(data.Path, port))
        {
            var call = new UploadService.UploadServiceClient(first.Invoker()).Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "statement.pdf", SizeBytes = bytes.Length } });
            Assert.True(await call.ResponseStream.MoveNext());
            uploadName = call.ResponseStream.Current.Session.Name;
            var acks = Task.Run(async () =>
            {
                try
                {
                    await foreach (var response in call.ResponseStream.ReadAllAsync())
                    {
                        Interlocked.Exchange(ref acknowledged, response.Progress?.CommittedOffset ?? acknowledged);
                    }
                }
                catch (RpcException)
                {
                    // the server is about to die
                }
            });
            try
            {
                while (sent < bytes.Length && Interlocked.Read(ref acknowledged) < 24 << 20)
                {
                    await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(bytes.AsMemory((int)sent, Chunk)) });
                    sent += Chunk;
                }
            }
            finally
            {
                first.Kill();
            }
            await acks;
            Assert.InRange(Interlocked.Read(ref acknowledged), 24 << 20, sent);
        }

        await using var second = await ServerProcess.StartAsync(data.Path, port);
        var uploads = new UploadService.UploadServiceClient(second.Invoker());
        var status = (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadName })).Session;
        Assert.Equal(UploadState.Open, status.State);
        Assert.InRange(status.CommittedOffset, acknowledged, sent);

        var document = await UploadResumeTests.ResumeAsync(uploads, uploadName, bytes, status.CommittedOffset);
        Assert.Equal(TestData.Sha256(bytes), document.Sha256);
        Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(second.Invoker(), document.Name));
    }

    [Fact]
    public async Task Unary_appends_survive_kill_9_exactly_at_the_last_acknowledged_offset()
    {
        using var data = new TempDirectory();
        var bytes = TestData.Bytes(40 * Chunk, seed: 42);
        var port = DocEngineFactory.FreePort();
        UploadSession session;
        long acknowledged = 0;
        await using (var first = await ServerProcess.StartAsync(data.Path, port))
        {
            var uploads = new UploadService.UploadServiceClient(first.Invoker());
            session = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "form.pdf", SizeBytes = bytes.Length } })).Session;
            while (acknowledged < 25 * Chunk)
            {
                acknowledged = (await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest
                {
                    Name = session.Name,
                    Offset = acknowledged,
                    Data = Clients.Chunk(bytes.AsMemory((int)acknowledged, Chunk)).Data,
                })).CommittedOffset;
            }
            first.Kill();
        }

        await using var second = await ServerProcess.StartAsync(data.Path, port);
        var again = new UploadService.UploadServiceClient(second.Invoker());
        var status = (await again.GetUploadStatusAsync(new GetUploadStatusRequest { Name = session.Name })).Session;
        Assert.Equal(acknowledged, status.CommittedOffset);
        for (var offset = acknowledged; offset < bytes.Length; offset += Chunk)
        {
            await again.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = offset, Data = Clients.Chunk(bytes.AsMemory((int)offset, Chunk)).Data });
        }
        var document = (await again.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name, Sha256 = TestData.Sha256(bytes) })).Document;
        Assert.Equal(TestData.Sha256(bytes), document.Sha256);
    }
}
