using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Uploads;

/// <summary>Every edge size, over the streaming path and the unary gRPC-Web path, round-tripped and hash-checked.</summary>
public sealed class UploadSizeTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private const int Chunk = 64 << 10;

    public static TheoryData<int> Sizes => new() { 0, 1, Chunk, Chunk + 1, 3 * Chunk + 17 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Streaming_upload_stores_exactly_the_bytes_sent(int size)
    {
        var data = TestData.Bytes(size, seed: size);
        var invoker = factory.Invoker();

        var document = await Clients.UploadStreamingAsync(invoker, data, Chunk);

        Assert.Equal(size, document.SizeBytes);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(data, await Clients.DownloadAsync(invoker, document.Name));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Unary_grpc_web_upload_stores_exactly_the_bytes_sent(int size)
    {
        var data = TestData.Bytes(size, seed: size + 7);
        var invoker = factory.Invoker(grpcWeb: true);

        var document = await Clients.UploadUnaryAsync(invoker, data, Chunk);

        Assert.Equal(size, document.SizeBytes);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(data, await Clients.DownloadAsync(invoker, document.Name));
    }
}
