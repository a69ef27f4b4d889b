using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>Large streams, deadlines and disconnects over real Kestrel sockets on loopback.</summary>
public sealed class LargeUploadKestrelTests(KestrelDocEngineFactory factory) : IClassFixture<KestrelDocEngineFactory>
{
    private const int Size = 256 << 20;
    private const int Chunk = 1 << 20;

    [Fact]
    public async Task A_256_MiB_streaming_upload_over_http2_is_stored_intact()
    {
        var data = TestData.Bytes(Size, seed: 51);
        var invoker = factory.Invoker();

        var document = await Clients.UploadStreamingAsync(invoker, data, Chunk);

        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(invoker, document.Name));
    }

    [Fact]
    public async Task A_256_MiB_grpc_web_upload_over_http1_is_stored_intact()
    {
        var data = TestData.Bytes(Size, seed: 52);
        var invoker = factory.Invoker(grpcWeb: true);

        var document = await Clients.UploadUnaryAsync(invoker, data, Chunk);

        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(invoker, document.Name));
    }

    [Fact]
    public async Task A_stream_cut_by_its_deadline_keeps_its_whole_chunks_and_resumes()
    {
        var data = TestData.Bytes(64 << 20, seed: 53);
        var uploads = new UploadService.UploadServiceClient(factory.Invoker());
        string uploadName;
        var sent = 0;
        using (var call = uploads.Upload(deadline: DateTime.UtcNow.AddSeconds(2)))
        {
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "slow.pdf", SizeBytes = data.Length } });
            Assert.True(await call.ResponseStream.MoveNext());
            uploadName = call.ResponseStream.Current.Session.Name;
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (sent < data.Length / 2)
                {
                    await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data.AsMemory(sent, Chunk)) });
                    sent += Chunk;
                }
                while (await call.ResponseStream.MoveNext()) // then the client stalls until the deadline ends the call
                {
                }
            });
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }

        var status = await WaitForSettledOffsetAsync(uploads, uploadName, sent);
        Assert.Equal(0, status % Chunk);
        var document = await UploadResumeTests.ResumeAsync(uploads, uploadName, data, status);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
    }

    /// <summary>The server commits a cut stream's whole chunks as it notices the cut; wait until it has.</summary>
    private static async Task<long> WaitForSettledOffsetAsync(UploadService.UploadServiceClient uploads, string name, long sent)
    {
        for (var attempt = 0; ; attempt++)
        {
            var offset = (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = name })).Session.CommittedOffset;
            if (offset == sent || attempt == 50)
            {
                Assert.InRange(offset, 1, sent);
                return offset;
            }
            await Task.Delay(100);
        }
    }
}
