using DocEngine.Contract.V1;
using DocEngine.Core.Uploads;
using DocEngine.Server.Infrastructure;
using Grpc.Core;

namespace DocEngine.Server.Services;

/// <summary>UploadService: the streaming path for native clients and the unary path for browsers, over one upload manager.</summary>
public sealed class UploadGrpcService(UploadManager uploads, ReceiptIssuerService receipts) : UploadService.UploadServiceBase
{
    public override async Task Upload(IAsyncStreamReader<UploadRequest> requestStream, IServerStreamWriter<UploadResponse> responseStream, ServerCallContext context)
    {
        var tenant = Callers.TenantOf(context);
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw ProtocolError("The upload stream was empty: send 'start' or 'resume' first.");
        }
        var (id, offset) = requestStream.Current.KindCase switch
        {
            UploadRequest.KindOneofCase.Start => ((await uploads.CreateAsync(tenant, requestStream.Current.Start.ToCore(), cancellationToken)).Id, 0L),
            UploadRequest.KindOneofCase.Resume => (ResourceNames.ParseUpload(requestStream.Current.Resume.Name, "resume.name"), requestStream.Current.Resume.Offset),
            _ => throw ProtocolError("The first message of an upload stream must be 'start' or 'resume'."),
        };

        // Disposing the writer commits whole chunks already received, even when the client vanished mid-stream.
        await using var writer = await uploads.OpenWriterAsync(tenant, id, offset, cancellationToken);
        await responseStream.WriteAsync(new UploadResponse { Session = writer.Upload.ToProto() }, cancellationToken);
        while (await requestStream.MoveNext(cancellationToken))
        {
            var message = requestStream.Current;
            switch (message.KindCase)
            {
                case UploadRequest.KindOneofCase.Chunk:
                    await writer.WriteAsync(message.Chunk.Data.Memory, message.Chunk.HasCrc32C ? message.Chunk.Crc32C : null);
                    if (writer.TryTakeBackgroundCommit(out var committed))
                    {
                        await SendProgressAsync(committed);
                    }
                    writer.CommitInBackgroundIfDue(); // fsync overlaps with receiving the next chunks
                    break;
                case UploadRequest.KindOneofCase.Finish:
                    var document = await writer.CompleteAsync(message.Finish.Sha256, cancellationToken);
                    receipts.Enqueue(tenant, document.ApplicationId);
                    await responseStream.WriteAsync(new UploadResponse { Document = document.ToProto() }, cancellationToken);
                    return;
                default:
                    throw ProtocolError("After the first message, an upload stream carries only 'chunk' messages and a final 'finish'.");
            }
        }
        // Half-closed without 'finish': keep what arrived, durably, for a later call to continue.
        await SendProgressAsync(await writer.CommitAsync(cancellationToken));

        Task SendProgressAsync(long committed) =>
            responseStream.WriteAsync(new UploadResponse { Progress = new UploadProgress { CommittedOffset = committed } }, cancellationToken);
    }

    public override async Task<CreateUploadSessionResponse> CreateUploadSession(CreateUploadSessionRequest request, ServerCallContext context)
    {
        var upload = await uploads.CreateAsync(Callers.TenantOf(context), (request.Metadata ?? new UploadMetadata()).ToCore(), context.CancellationToken);
        return new CreateUploadSessionResponse { Session = upload.ToProto() };
    }

    public override async Task<AppendUploadChunkResponse> AppendUploadChunk(AppendUploadChunkRequest request, ServerCallContext context)
    {
        var upload = await uploads.AppendAsync(Callers.TenantOf(context), ResourceNames.ParseUpload(request.Name), request.Offset,
            request.Data.Memory, request.HasCrc32C ? request.Crc32C : null, context.CancellationToken);
        return new AppendUploadChunkResponse
        {
            CommittedOffset = upload.CommittedOffset,
            ExpireTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(upload.ExpireTime),
        };
    }

    public override async Task<CompleteUploadResponse> CompleteUpload(CompleteUploadRequest request, ServerCallContext context)
    {
        var tenant = Callers.TenantOf(context);
        var document = await uploads.CompleteAsync(tenant, ResourceNames.ParseUpload(request.Name), request.Sha256, context.CancellationToken);
        receipts.Enqueue(tenant, document.ApplicationId);
        return new CompleteUploadResponse { Document = document.ToProto() };
    }

    public override async Task<GetUploadStatusResponse> GetUploadStatus(GetUploadStatusRequest request, ServerCallContext context)
    {
        var upload = await uploads.GetAsync(Callers.TenantOf(context), ResourceNames.ParseUpload(request.Name), context.CancellationToken);
        return new GetUploadStatusResponse { Session = upload.ToProto() };
    }

    public override async Task<CancelUploadResponse> CancelUpload(CancelUploadRequest request, ServerCallContext context)
    {
        var upload = await uploads.CancelAsync(Callers.TenantOf(context), ResourceNames.ParseUpload(request.Name), context.CancellationToken);
        return new CancelUploadResponse { Session = upload.ToProto() };
    }

    private static DocEngineException ProtocolError(string sentence) => new(ErrorKind.InvalidArgument, "UPLOAD_STREAM_PROTOCOL", sentence);
}
