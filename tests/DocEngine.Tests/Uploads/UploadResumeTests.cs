using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>Interrupted uploads continue from the durable offset with no byte duplicated or missing.</summary>
public sealed class UploadResumeTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private const int Chunk = 256 << 10;

    [Fact]
    public async Task Upload_resumes_from_last_durable_offset_after_the_client_cancels_mid_stream()
    {
        var data = TestData.Bytes(24 << 20, seed: 11);
        var client = new UploadService.UploadServiceClient(factory.Invoker());
        using var cancel = new CancellationTokenSource();
        string uploadName;
        long acknowledged = 0;
        using (var call = client.Upload(cancellationToken: cancel.Token))
        {
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "scan.pdf", SizeBytes = data.Length } });
            Assert.True(await call.ResponseStream.MoveNext());
            uploadName = call.ResponseStream.Current.Session.Name;
            var sent = 0;
            while (sent < 12 << 20)
            {
                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data.AsMemory(sent, Chunk)) });
                sent += Chunk;
            }
            Assert.True(await call.ResponseStream.MoveNext()); // the first commit point (8 MiB, or 1 s on a slow machine)
            acknowledged = call.ResponseStream.Current.Progress.CommittedOffset;
            Assert.True(acknowledged > 0 && acknowledged % Chunk == 0);
            cancel.Cancel();
        }

        var status = (await client.GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadName })).Session;
        Assert.Equal(UploadState.Open, status.State);
        Assert.InRange(status.CommittedOffset, acknowledged, 12 << 20);
        Assert.Equal(0, status.CommittedOffset % Chunk); // whole chunks only

        var document = await ResumeAsync(client, uploadName, data, status.CommittedOffset);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(data.Length, document.SizeBytes);
    }

    [Fact]
    public async Task Half_closing_without_finish_keeps_the_bytes_for_a_later_call()
    {
        var data = TestData.Bytes(3 * Chunk + 5, seed: 12);
        var client = new UploadService.UploadServiceClient(factory.Invoker());
        string uploadName;
        using (var call = client.Upload())
        {
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "a.jpg" } });
            await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data.AsMemory(0, Chunk)) });
            await call.RequestStream.CompleteAsync();
            var responses = await Clients.ReadAllAsync(call.ResponseStream);
            uploadName = responses[0].Session.Name;
            Assert.Equal(Chunk, responses[^1].Progress.CommittedOffset);
        }

        var document = await ResumeAsync(client, uploadName, data, Chunk);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
    }

    [Fact]
    public async Task A_retried_append_whose_response_was_lost_gets_the_current_offset_to_continue_from()
    {
        var data = TestData.Bytes(2 * Chunk, seed: 13);
        var client = new UploadService.UploadServiceClient(factory.Invoker(grpcWeb: true));
        var session = (await client.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "b.png" } })).Session;
        var first = new AppendUploadChunkRequest { Name = session.Name, Offset = 0, Data = Clients.Chunk(data.AsMemory(0, Chunk)).Data };
        await client.AppendUploadChunkAsync(first);

        // The client never saw the response and sends the same chunk again: tus 409 semantics.
        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_OFFSET_MISMATCH", () => client.AppendUploadChunkAsync(first).ResponseAsync);
        var current = long.Parse(info.Metadata["current_offset"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Chunk, current);

        await client.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = current, Data = Clients.Chunk(data.AsMemory(Chunk)).Data });
        var document = (await client.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name, Sha256 = TestData.Sha256(data) })).Document;
        Assert.Equal(TestData.Sha256(data), document.Sha256);

        var again = (await client.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name })).Document;
        Assert.Equal(document.Name, again.Name); // completing twice is idempotent
    }

    /// <summary>
    /// Continues an upload from <paramref name="offset"/>. The call that was interrupted may still be committing its last
    /// whole chunks when the status is read, so, as any client must, this continues from the current offset the server
    /// names when it refuses a stale one.
    /// </summary>
    internal static async Task<Document> ResumeAsync(UploadService.UploadServiceClient client, string uploadName, byte[] data, long offset)
    {
        try
        {
            return await ResumeOnceAsync(client, uploadName, data, offset);
        }
        catch (RpcException e) when (e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>() is { Reason: "UPLOAD_OFFSET_MISMATCH" } info)
        {
            var current = long.Parse(info.Metadata["current_offset"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(current > offset);
            return await ResumeOnceAsync(client, uploadName, data, current);
        }
    }

    private static async Task<Document> ResumeOnceAsync(UploadService.UploadServiceClient client, string uploadName, byte[] data, long offset)
    {
        using var call = client.Upload();
        await call.RequestStream.WriteAsync(new UploadRequest { Resume = new UploadResume { Name = uploadName, Offset = offset } });
        Assert.True(await call.ResponseStream.MoveNext()); // the session: the server accepted the offset (a refusal throws here)
        Assert.Equal(offset, call.ResponseStream.Current.Session.CommittedOffset);
        var responses = Clients.ReadAllAsync(call.ResponseStream);
        for (var position = (int)offset; position < data.Length; position += Chunk)
        {
            await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data.AsMemory(position, Math.Min(Chunk, data.Length - position))) });
        }
        await call.RequestStream.WriteAsync(new UploadRequest { Finish = new UploadFinish { Sha256 = TestData.Sha256(data) } });
        await call.RequestStream.CompleteAsync();
        return (await responses).Single(r => r.KindCase == UploadResponse.KindOneofCase.Document).Document;
    }
}
