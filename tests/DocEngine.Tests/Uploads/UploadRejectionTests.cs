using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Grpc.Core;

namespace DocEngine.Tests.Uploads;

/// <summary>Bad uploads get a precise status, a sentence, a stable reason, and leave nothing committed.</summary>
public sealed class UploadRejectionTests(SmallLimitsFactory factory) : IClassFixture<SmallLimitsFactory>
{
    private const int Limit = 1 << 20;
    private const int MaxChunk = 256 << 10;

    private UploadService.UploadServiceClient Uploads => new(factory.Invoker());

    [Fact]
    public async Task An_append_at_the_wrong_offset_is_failed_precondition_carrying_the_current_offset()
    {
        var session = await CreateAsync();
        await Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 0, Data = Clients.Chunk(TestData.Bytes(1000)).Data });

        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_OFFSET_MISMATCH", () =>
            Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 5000, Data = Clients.Chunk(TestData.Bytes(10)).Data }).ResponseAsync);

        Assert.Equal("1000", info.Metadata["current_offset"]);
    }

    [Fact]
    public async Task A_stream_resuming_at_the_wrong_offset_is_failed_precondition_carrying_the_current_offset()
    {
        var session = await CreateAsync();
        await Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 0, Data = Clients.Chunk(TestData.Bytes(300)).Data });

        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_OFFSET_MISMATCH", async () =>
        {
            using var call = Uploads.Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Resume = new UploadResume { Name = session.Name, Offset = 0 } });
            await Clients.ReadAllAsync(call.ResponseStream);
        });
        Assert.Equal("300", info.Metadata["current_offset"]);
    }

    [Fact]
    public async Task A_wrong_declared_sha256_is_refused_and_no_document_is_created()
    {
        var data = TestData.Bytes(5000, seed: 3);
        var wrong = TestData.Sha256(TestData.Bytes(5000, seed: 4));
        var session = await CreateAsync(new UploadMetadata { Filename = "x.pdf", Sha256 = wrong });
        await Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 0, Data = Clients.Chunk(data).Data });

        var info = await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "SHA256_MISMATCH", () =>
            Uploads.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name }).ResponseAsync);

        Assert.Equal(TestData.Sha256(data), info.Metadata["actual_sha256"]);
        Assert.Equal(UploadState.Open, (await StatusAsync(session.Name)).State);
        Assert.Empty(await DocumentsOf(session.Application));
    }

    [Fact]
    public async Task A_wrong_sha256_in_finish_is_refused_and_no_document_is_created()
    {
        var data = TestData.Bytes(7000, seed: 5);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "SHA256_MISMATCH", async () =>
        {
            using var call = Uploads.Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Application = "", Filename = "y.pdf" } });
            await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data) });
            await call.RequestStream.WriteAsync(new UploadRequest { Finish = new UploadFinish { Sha256 = new string('0', 64) } });
            var responses = new List<UploadResponse>();
            try
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync())
                {
                    responses.Add(response);
                }
            }
            finally
            {
                if (responses.Count > 0)
                {
                    Assert.Empty(await DocumentsOf(responses[0].Session.Application));
                }
            }
        });
    }

    [Fact]
    public async Task A_chunk_whose_crc32c_does_not_match_is_refused_and_the_offset_does_not_move()
    {
        var session = await CreateAsync();
        var chunk = Clients.Chunk(TestData.Bytes(4096, seed: 6));
        chunk.Crc32C ^= 1;

        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "CHUNK_CHECKSUM_MISMATCH", () =>
            Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Offset = 0, Data = chunk.Data, Crc32C = chunk.Crc32C }).ResponseAsync);

        Assert.Equal(0, (await StatusAsync(session.Name)).CommittedOffset);
    }

    [Fact]
    public async Task An_upload_of_exactly_the_size_limit_is_stored()
    {
        var data = TestData.Bytes(Limit, seed: 7);
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), data, MaxChunk);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
    }

    [Fact]
    public async Task One_byte_over_the_size_limit_is_resource_exhausted_and_nothing_is_stored()
    {
        var data = TestData.Bytes(Limit + 1, seed: 8);
        string? uploadName = null;
        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "UPLOAD_TOO_LARGE", async () =>
        {
            using var call = Uploads.Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = "big.tif" } });
            Assert.True(await call.ResponseStream.MoveNext());
            uploadName = call.ResponseStream.Current.Session.Name;
            for (var offset = 0; offset < data.Length; offset += MaxChunk)
            {
                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(data.AsMemory(offset, Math.Min(MaxChunk, data.Length - offset))) });
            }
            await call.RequestStream.CompleteAsync();
            await Clients.ReadAllAsync(call.ResponseStream);
        });

        var status = await StatusAsync(uploadName!);
        Assert.Equal(UploadState.Failed, status.State);
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "uploads", uploadName!["uploads/".Length..] + ".part")));
        Assert.Empty(await DocumentsOf(status.Application));
    }

    [Fact]
    public async Task A_declared_size_over_the_limit_is_refused_before_any_byte_is_sent()
    {
        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "UPLOAD_TOO_LARGE", () =>
            Uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "a", SizeBytes = Limit + 1 } }).ResponseAsync);
    }

    [Fact]
    public async Task A_chunk_over_the_chunk_limit_is_resource_exhausted()
    {
        var session = await CreateAsync();
        await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "CHUNK_TOO_LARGE", () =>
            Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(MaxChunk + 1)).Data }).ResponseAsync);
        Assert.Equal(0, (await StatusAsync(session.Name)).CommittedOffset);
    }

    [Fact]
    public async Task More_bytes_than_declared_are_refused_and_completing_early_says_where_to_continue()
    {
        var session = await CreateAsync(new UploadMetadata { Filename = "c.pdf", SizeBytes = 100 });
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "UPLOAD_EXCEEDS_DECLARED_SIZE", () =>
            Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(101)).Data }).ResponseAsync);
        await Uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = session.Name, Data = Clients.Chunk(TestData.Bytes(60)).Data });

        var info = await Clients.AssertRefusedAsync(StatusCode.FailedPrecondition, "UPLOAD_INCOMPLETE", () =>
            Uploads.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name }).ResponseAsync);
        Assert.Equal("60", info.Metadata["current_offset"]);
    }

    [Fact]
    public async Task A_stream_that_does_not_start_with_start_or_resume_is_invalid_argument()
    {
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "UPLOAD_STREAM_PROTOCOL", async () =>
        {
            using var call = Uploads.Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Chunk = Clients.Chunk(TestData.Bytes(10)) });
            await Clients.ReadAllAsync(call.ResponseStream);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("uploads/../../etc")]
    [InlineData("documents/abc")]
    public async Task A_malformed_upload_name_is_invalid_argument(string name)
    {
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "INVALID_NAME", () =>
            Uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = name }).ResponseAsync);
    }

    [Fact]
    public async Task Uploads_to_an_application_that_does_not_exist_are_not_found()
    {
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND", () =>
            Uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Application = "applications/nope" } }).ResponseAsync);
    }

    [Fact]
    public async Task A_tenant_past_its_concurrent_upload_limit_is_resource_exhausted_and_other_tenants_are_not()
    {
        var tenantA = new UploadService.UploadServiceClient(factory.Invoker(DocEngineFactory.KeyA));
        var open = new List<AsyncDuplexStreamingCall<UploadRequest, UploadResponse>>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var call = tenantA.Upload();
                open.Add(call);
                await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Filename = $"{i}.pdf" } });
                Assert.True(await call.ResponseStream.MoveNext()); // the session: this call now holds a slot
            }

            await Clients.AssertRefusedAsync(StatusCode.ResourceExhausted, "TOO_MANY_UPLOADS", () =>
                Clients.UploadUnaryAsync(factory.Invoker(DocEngineFactory.KeyA), TestData.Bytes(10)));
            var other = await Clients.UploadUnaryAsync(factory.Invoker(DocEngineFactory.KeyB), TestData.Bytes(10));
            Assert.Equal(10, other.SizeBytes);
        }
        finally
        {
            foreach (var call in open)
            {
                call.Dispose();
            }
        }
    }

    private async Task<UploadSession> CreateAsync(UploadMetadata? metadata = null) =>
        (await Uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = metadata ?? new UploadMetadata { Filename = "f.pdf" } })).Session;

    private async Task<UploadSession> StatusAsync(string name) =>
        (await Uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = name })).Session;

    private async Task<IList<Document>> DocumentsOf(string application) =>
        (await new DocumentService.DocumentServiceClient(factory.Invoker()).ListDocumentsAsync(new ListDocumentsRequest { Parent = application })).Documents;
}
