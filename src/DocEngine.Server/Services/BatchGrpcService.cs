using DocEngine.Contract.V1;
using DocEngine.Core.Batch;
using DocEngine.Core.Storage;
using DocEngine.Server.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Batch = DocEngine.Contract.V1.Batch;

namespace DocEngine.Server.Services;

/// <summary>BatchService: starts server-side batches and reports their progress, translated to and from the core.</summary>
public sealed class BatchGrpcService(StoredBatches batches, TimeProvider time) : BatchService.BatchServiceBase
{
    public override async Task<StartBatchResponse> StartBatch(StartBatchRequest request, ServerCallContext context)
    {
        var applicationId = request.Parent is "" ? null : ResourceNames.ParseApplication(request.Parent, "parent");
        var ops = request.Operations.Count == 0
            ? [BatchOp.Normalize, BatchOp.Preview, BatchOp.Verify]
            : request.Operations.Select(o => o switch
            {
                BatchOperation.Normalize => BatchOp.Normalize,
                BatchOperation.Preview => BatchOp.Preview,
                BatchOperation.Verify => BatchOp.Verify,
                BatchOperation.Ocr => BatchOp.Ocr,
                _ => throw new Core.Common.DocEngineException(Core.Common.ErrorKind.InvalidArgument, "UNKNOWN_BATCH_OPERATION",
                    "Each operation must be NORMALIZE, OCR, PREVIEW or VERIFY.") { Field = "operations" },
            }).Distinct().Order().ToList();
        var batch = await batches.StartAsync(Callers.TenantOf(context), applicationId, ops, request.MaxBytes > 0 ? request.MaxBytes : null, context.CancellationToken);
        return new StartBatchResponse { Batch = ToProto(batch) };
    }

    public override async Task<GetBatchResponse> GetBatch(GetBatchRequest request, ServerCallContext context) =>
        new() { Batch = ToProto(await batches.GetAsync(Callers.TenantOf(context), ResourceNames.ParseBatch(request.Name), context.CancellationToken)) };

    public override async Task WatchBatch(WatchBatchRequest request, IServerStreamWriter<WatchBatchResponse> responseStream, ServerCallContext context)
    {
        var tenant = Callers.TenantOf(context);
        var id = ResourceNames.ParseBatch(request.Name);
        while (true)
        {
            var batch = await batches.GetAsync(tenant, id, context.CancellationToken);
            await responseStream.WriteAsync(new WatchBatchResponse { Batch = ToProto(batch) }, context.CancellationToken);
            if (batch.Completed)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, context.CancellationToken);
        }
    }

    private Batch ToProto(BatchRecord batch)
    {
        var end = batch.CompleteTime ?? time.GetUtcNow();
        var seconds = (end - batch.CreateTime).TotalSeconds;
        var proto = new Batch
        {
            Name = "batches/" + batch.Id,
            Parent = batch.ApplicationId is "" ? "" : ResourceNames.Application(batch.ApplicationId),
            State = batch.Completed ? BatchState.Completed : BatchState.Running,
            Total = batch.Total,
            Done = batch.Done,
            Ok = batch.Ok,
            Refused = batch.Refused,
            Failed = batch.Failed,
            Attention = batch.Attention,
            CreateTime = Timestamp.FromDateTimeOffset(batch.CreateTime),
            CompleteTime = batch.CompleteTime is { } c ? Timestamp.FromDateTimeOffset(c) : null,
            DocumentsPerSecond = seconds > 0 ? batch.Done / seconds : 0,
        };
        proto.Operations.AddRange(batch.Operations.Split(',').Select(o => o switch
        {
            "normalize" => BatchOperation.Normalize,
            "preview" => BatchOperation.Preview,
            "ocr" => BatchOperation.Ocr,
            _ => BatchOperation.Verify,
        }));
        return proto;
    }
}
