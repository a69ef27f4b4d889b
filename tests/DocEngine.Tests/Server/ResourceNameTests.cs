using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Rpc;
using Grpc.Core;

namespace DocEngine.Tests.Server;

/// <summary>A name that cannot be a resource's is INVALID_ARGUMENT with a BadRequest naming the field, never NOT_FOUND.</summary>
public sealed class ResourceNameTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    public static TheoryData<string> Malformed => ["", "applications", "documents/x", "applications/a/documents", "applications/a b/documents/c",
        "applications/a/documents/b/extra", "uploads/../../etc", "batches/x/y", "applications/a/documents/b/renditions/c/d"];

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Every_rpc_that_takes_a_name_refuses_a_malformed_one_as_invalid_argument(string name)
    {
        var invoker = factory.Invoker(DocEngineFactory.KeyA);
        var applications = new ApplicationService.ApplicationServiceClient(invoker);
        var documents = new DocumentService.DocumentServiceClient(invoker);
        var uploads = new UploadService.UploadServiceClient(invoker);
        var receipts = new ReceiptService.ReceiptServiceClient(invoker);
        var batches = new BatchService.BatchServiceClient(invoker);
        var calls = new (string Field, Func<Task> Call)[]
        {
            ("name", () => applications.GetApplicationAsync(new GetApplicationRequest { Name = name }).ResponseAsync),
            ("name", () => applications.SubmitApplicationAsync(new SubmitApplicationRequest { Name = name }).ResponseAsync),
            ("parent", () => applications.ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = name }).ResponseAsync),
            ("name", () => documents.GetDocumentAsync(new GetDocumentRequest { Name = name }).ResponseAsync),
            ("parent", () => documents.ListDocumentsAsync(new ListDocumentsRequest { Parent = name }).ResponseAsync),
            ("name", () => Clients.DownloadAsync(invoker, name)),
            ("name", () => new ProcessingService.ProcessingServiceClient(invoker).InspectDocumentAsync(new InspectDocumentRequest { Name = name }).ResponseAsync),
            ("documents", () => new ProcessingService.ProcessingServiceClient(invoker).ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { name } }).ResponseAsync),
            ("name", async () =>
            {
                using var call = new PreviewService.PreviewServiceClient(invoker).RenderPreviews(new RenderPreviewsRequest { Name = name });
                await call.ResponseStream.MoveNext();
            }),
            ("name", () => new SignatureService.SignatureServiceClient(invoker).VerifySignaturesAsync(new VerifySignaturesRequest { Name = name }).ResponseAsync),
            ("name", () => receipts.GetReceiptAsync(new GetReceiptRequest { Name = name }).ResponseAsync),
            ("parent", () => receipts.ListReceiptsAsync(new ListReceiptsRequest { Parent = name }).ResponseAsync),
            ("name", () => uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = name }).ResponseAsync),
            ("name", () => uploads.CancelUploadAsync(new CancelUploadRequest { Name = name }).ResponseAsync),
            ("name", () => batches.GetBatchAsync(new GetBatchRequest { Name = name }).ResponseAsync),
        };
        foreach (var (field, call) in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{field} '{name}': {error.StatusCode} {error.Status.Detail}");
            var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
            Assert.StartsWith(field, violation.Field, StringComparison.Ordinal);
        }
    }
}
