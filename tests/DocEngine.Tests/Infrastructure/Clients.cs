using System.Security.Cryptography;
using DocEngine.Contract.V1;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace DocEngine.Tests.Infrastructure;

/// <summary>Client-side helpers that speak the contract the way a portal would.</summary>
internal static class Clients
{
    /// <summary>Uploads over the streaming RPC with a CRC32C per chunk and the SHA-256 in finish.</summary>
    public static async Task<Document> UploadStreamingAsync(CallInvoker invoker, ReadOnlyMemory<byte> data, int chunkSize = 64 << 10,
        string application = "", string filename = "test.bin", CancellationToken cancellationToken = default)
    {
        var client = new UploadService.UploadServiceClient(invoker);
        using var call = client.Upload(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new UploadRequest
        {
            Start = new UploadMetadata { Application = application, Filename = filename, SizeBytes = data.Length },
        }, cancellationToken);
        Assert.True(await call.ResponseStream.MoveNext(cancellationToken)); // the session comes first; a refusal throws here
        Assert.Equal(UploadResponse.KindOneofCase.Session, call.ResponseStream.Current.KindCase);
        var responses = ReadAllAsync(call.ResponseStream, cancellationToken);
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Chunk(chunk) }, cancellationToken);
        }
        await call.RequestStream.WriteAsync(new UploadRequest { Finish = new UploadFinish { Sha256 = TestData.Sha256(data.Span) } }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        return Assert.Single(await responses, r => r.KindCase == UploadResponse.KindOneofCase.Document).Document;
    }

    /// <summary>Uploads over the unary (gRPC-Web) calls: create, append each chunk at its offset, complete.</summary>
    public static async Task<Document> UploadUnaryAsync(CallInvoker invoker, ReadOnlyMemory<byte> data, int chunkSize = 64 << 10, string application = "")
    {
        var client = new UploadService.UploadServiceClient(invoker);
        var session = (await client.CreateUploadSessionAsync(new CreateUploadSessionRequest
        {
            Metadata = new UploadMetadata { Application = application, Filename = "test.bin", SizeBytes = data.Length, Sha256 = TestData.Sha256(data.Span) },
        })).Session;
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            var appended = await client.AppendUploadChunkAsync(new AppendUploadChunkRequest
            {
                Name = session.Name,
                Offset = offset,
                Data = UnsafeByteOperations.UnsafeWrap(chunk),
                Crc32C = DocEngine.Core.Uploads.Crc32C.Compute(chunk.Span),
            });
            Assert.Equal(offset + chunk.Length, appended.CommittedOffset);
        }
        return (await client.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name })).Document;
    }

    public static UploadChunk Chunk(ReadOnlyMemory<byte> data) =>
        new() { Data = UnsafeByteOperations.UnsafeWrap(data), Crc32C = DocEngine.Core.Uploads.Crc32C.Compute(data.Span) };

    /// <summary>Downloads a document (or a range) and returns the bytes, after checking the stream is contiguous.</summary>
    public static async Task<byte[]> DownloadAsync(CallInvoker invoker, string name, long offset = 0, long length = 0)
    {
        var client = new DocumentService.DocumentServiceClient(invoker);
        using var call = client.DownloadDocument(new DownloadDocumentRequest { Name = name, Offset = offset, Length = length });
        using var buffer = new MemoryStream();
        var position = offset;
        await foreach (var piece in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(position, piece.Offset);
            piece.Data.WriteTo(buffer);
            position += piece.Data.Length;
        }
        return buffer.ToArray();
    }

    public static async Task<string> DownloadSha256Async(CallInvoker invoker, string name)
    {
        var client = new DocumentService.DocumentServiceClient(invoker);
        using var call = client.DownloadDocument(new DownloadDocumentRequest { Name = name });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await foreach (var piece in call.ResponseStream.ReadAllAsync())
        {
            hash.AppendData(piece.Data.Span);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static async Task<List<T>> ReadAllAsync<T>(IAsyncStreamReader<T> stream, CancellationToken cancellationToken = default)
    {
        var items = new List<T>();
        await foreach (var item in stream.ReadAllAsync(cancellationToken))
        {
            items.Add(item);
        }
        return items;
    }

    /// <summary>Asserts the call failed with <paramref name="code"/> and an ErrorInfo of <paramref name="reason"/>; returns the ErrorInfo.</summary>
    public static async Task<ErrorInfo> AssertRefusedAsync(StatusCode code, string reason, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
        Assert.DoesNotContain("   at ", error.Status.Detail); // a sentence, never a stack trace
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(reason, info.Reason);
        return info;
    }
}
