using System.Reflection;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Xunit.Abstractions;

namespace DocEngine.Tests.Access;

/// <summary>
/// An applicant token for application A, over every RPC of the contract, against real server processes: another
/// application's documents, previews, receipts and uploads are refused exactly as resources that do not exist are (so
/// nothing is learned about them), tenant-wide calls are PERMISSION_DENIED, and A's own resources work.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class ApplicantScopeTests(AccessServers servers, ITestOutputHelper output)
{
    /// <summary>The resources a call names: an application, a document in it, an open upload in it.</summary>
    private sealed record Names(string Application, string Document, string Upload);

    /// <summary>Every RPC, called as a token for A would call it to reach the resources <see cref="Names"/> (B's, or ones that do not exist).</summary>
    private static readonly Dictionary<string, Func<CallInvoker, Names, Names, Task>> Calls = new()
    {
        ["UploadService/Upload"] = async (i, other, _) =>
        {
            using var call = new UploadService.UploadServiceClient(i).Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Start = new UploadMetadata { Application = other.Application, Filename = "x.pdf" } });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        },
        ["UploadService/Upload (resume)"] = async (i, other, _) =>
        {
            using var call = new UploadService.UploadServiceClient(i).Upload();
            await call.RequestStream.WriteAsync(new UploadRequest { Resume = new UploadResume { Name = other.Upload } });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        },
        ["UploadService/CreateUploadSession"] = (i, other, _) => new UploadService.UploadServiceClient(i)
            .CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Application = other.Application } }).ResponseAsync,
        ["UploadService/AppendUploadChunk"] = (i, other, _) => new UploadService.UploadServiceClient(i)
            .AppendUploadChunkAsync(new AppendUploadChunkRequest { Name = other.Upload, Data = ByteString.CopyFromUtf8("x") }).ResponseAsync,
        ["UploadService/CompleteUpload"] = (i, other, _) => new UploadService.UploadServiceClient(i).CompleteUploadAsync(new CompleteUploadRequest { Name = other.Upload }).ResponseAsync,
        ["UploadService/GetUploadStatus"] = (i, other, _) => new UploadService.UploadServiceClient(i).GetUploadStatusAsync(new GetUploadStatusRequest { Name = other.Upload }).ResponseAsync,
        ["UploadService/CancelUpload"] = (i, other, _) => new UploadService.UploadServiceClient(i).CancelUploadAsync(new CancelUploadRequest { Name = other.Upload }).ResponseAsync,
        ["ApplicationService/CreateApplication"] = (i, other, _) => new ApplicationService.ApplicationServiceClient(i)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = other.Application["applications/".Length..] }).ResponseAsync,
        ["ApplicationService/GetApplication"] = (i, other, _) => new ApplicationService.ApplicationServiceClient(i)
            .GetApplicationAsync(new GetApplicationRequest { Name = other.Application }).ResponseAsync,
        ["ApplicationService/ListApplications"] = (i, _, _) => new ApplicationService.ApplicationServiceClient(i).ListApplicationsAsync(new ListApplicationsRequest()).ResponseAsync,
        ["ApplicationService/SubmitApplication"] = (i, other, _) => new ApplicationService.ApplicationServiceClient(i)
            .SubmitApplicationAsync(new SubmitApplicationRequest { Name = other.Application }).ResponseAsync,
        ["ApplicationService/ListApplicationEvents"] = (i, other, _) => new ApplicationService.ApplicationServiceClient(i)
            .ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = other.Application }).ResponseAsync,
        ["DocumentService/GetDocument"] = (i, other, _) => new DocumentService.DocumentServiceClient(i).GetDocumentAsync(new GetDocumentRequest { Name = other.Document }).ResponseAsync,
        ["DocumentService/ListDocuments"] = (i, other, _) => new DocumentService.DocumentServiceClient(i).ListDocumentsAsync(new ListDocumentsRequest { Parent = other.Application }).ResponseAsync,
        ["DocumentService/DownloadDocument"] = (i, other, _) => Clients.DownloadAsync(i, other.Document),
        ["ProcessingService/InspectDocument"] = (i, other, _) => new ProcessingService.ProcessingServiceClient(i)
            .InspectDocumentAsync(new InspectDocumentRequest { Name = other.Document }).ResponseAsync,
        ["ProcessingService/ProcessDocument"] = (i, other, own) => new ProcessingService.ProcessingServiceClient(i)
            .ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { own.Document, other.Document }, Options = new ProcessingOptions() }).ResponseAsync,
        ["PreviewService/RenderPreviews"] = async (i, other, _) =>
        {
            using var call = new PreviewService.PreviewServiceClient(i).RenderPreviews(new RenderPreviewsRequest { Name = other.Document + "/renditions/r1" });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        },
        ["SignatureService/VerifySignatures"] = (i, other, own) => new SignatureService.SignatureServiceClient(i)
            .VerifySignaturesAsync(new VerifySignaturesRequest { Name = own.Document, SignedDocument = other.Document }).ResponseAsync,
        ["ReceiptService/GetReceipt"] = (i, other, _) => new ReceiptService.ReceiptServiceClient(i).GetReceiptAsync(new GetReceiptRequest { Name = other.Document + "/receipt" }).ResponseAsync,
        ["ReceiptService/ListReceipts"] = (i, other, _) => new ReceiptService.ReceiptServiceClient(i).ListReceiptsAsync(new ListReceiptsRequest { Parent = other.Application }).ResponseAsync,
        ["BatchService/StartBatch"] = (i, other, _) => new BatchService.BatchServiceClient(i).StartBatchAsync(new StartBatchRequest { Parent = other.Application }).ResponseAsync,
        ["BatchService/GetBatch"] = (i, _, _) => new BatchService.BatchServiceClient(i).GetBatchAsync(new GetBatchRequest { Name = "batches/b1" }).ResponseAsync,
        ["BatchService/WatchBatch"] = async (i, _, _) =>
        {
            using var call = new BatchService.BatchServiceClient(i).WatchBatch(new WatchBatchRequest { Name = "batches/b1" });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        },
        ["AccessService/CreateAccessToken"] = (i, other, _) => new AccessService.AccessServiceClient(i)
            .CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = other.Application }).ResponseAsync,
        ["AccessService/RevokeAccessToken"] = (i, other, _) => new AccessService.AccessServiceClient(i)
            .RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Application = other.Application }).ResponseAsync,
    };

    /// <summary>Calls that name no application: the same for everyone who may make them.</summary>
    private static readonly HashSet<string> Public = ["ReceiptService/GetReceiptKeys"];

    [Fact]
    public void The_table_covers_every_rpc_of_the_contract()
    {
        var methods = typeof(UploadService).Assembly.GetTypes()
            .Where(t => t.Namespace == "DocEngine.Contract.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(file => file.Services.SelectMany(service => service.Methods.Select(m => $"{service.Name}/{m.Name}")))
            .ToHashSet();
        var covered = Calls.Keys.Select(k => k.Split(' ')[0]).Concat(Public).ToHashSet();
        Assert.True(methods.SetEquals(covered), "Add every new RPC to this test: missing " + string.Join(", ", methods.Except(covered)));
    }

    [Fact]
    public async Task A_token_for_A_is_refused_everything_of_B_exactly_as_things_that_do_not_exist()
    {
        var (appA, docA) = await servers.NewApplicationWithDocumentAsync();
        var (appB, docB) = await servers.NewApplicationWithDocumentAsync();
        var tenant = servers.Node1.Invoker(AccessServers.DevelopmentKey);
        var uploadB = (await new UploadService.UploadServiceClient(tenant).CreateUploadSessionAsync(new CreateUploadSessionRequest
        {
            Metadata = new UploadMetadata { Application = appB, Filename = "b-secret.pdf" },
        })).Session.Name;
        await new ReceiptService.ReceiptServiceClient(tenant).GetReceiptAsync(new GetReceiptRequest { Name = docB.Name });
        var own = new Names(appA, docA.Name, "uploads/none");
        var b = new Names(appB, docB.Name, uploadB);
        var ghost = new Names("applications/ghost-app", "applications/ghost-app/documents/ghost-doc", "uploads/ghostuploadghostupload0");

        foreach (var (method, call) in Calls)
        {
            var asA = servers.Node1.Invoker((await servers.MintAsync(appA)).Token); // a token each, well within its rate limit
            var toB = await RefusalAsync(() => call(asA, b, own));
            var toGhost = await RefusalAsync(() => call(asA, ghost, own));
            output.WriteLine($"{method}: {toB.Code} {toB.Reason}: {toB.Message}");
            Assert.True(toB.Code is StatusCode.NotFound or StatusCode.PermissionDenied, $"{method} gave {toB.Code}: {toB.Message}");
            Assert.Equal((toGhost.Code, toGhost.Reason), (toB.Code, toB.Reason));
            Assert.Equal(Mask(toGhost.Message, ghost), Mask(toB.Message, b));
            Assert.DoesNotContain("b-secret", toB.Message);
            Assert.DoesNotContain(docB.Sha256, toB.Message);
        }

        // B's things are untouched: the open upload is still open, the application not submitted.
        Assert.Equal(UploadState.Open, (await new UploadService.UploadServiceClient(tenant).GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadB })).Session.State);
        Assert.Null((await new ApplicationService.ApplicationServiceClient(tenant).GetApplicationAsync(new GetApplicationRequest { Name = appB })).Application.SubmitTime);
    }

    [Fact]
    public async Task Tenant_wide_calls_are_permission_denied_with_a_sentence()
    {
        var (appA, _) = await servers.NewApplicationWithDocumentAsync();
        var asA = servers.Node1.Invoker((await servers.MintAsync(appA)).Token);
        var info = await Clients.AssertRefusedAsync(StatusCode.PermissionDenied, "TENANT_CREDENTIALS_REQUIRED", () =>
            new ApplicationService.ApplicationServiceClient(asA).ListApplicationsAsync(new ListApplicationsRequest()).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.PermissionDenied, "TENANT_CREDENTIALS_REQUIRED", () =>
            new AccessService.AccessServiceClient(asA).CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = appA }).ResponseAsync);
        Assert.NotNull(info);
    }

    [Fact]
    public async Task A_token_for_A_works_on_everything_of_A_it_is_allowed()
    {
        var (appA, docA) = await servers.NewApplicationWithDocumentAsync();
        var asA = servers.Node1.Invoker((await servers.MintAsync(appA)).Token);
        var uploads = new UploadService.UploadServiceClient(asA);

        // Uploads go into the token's application without naming it (unary and streaming), or naming it.
        var unary = await Clients.UploadUnaryAsync(asA, TestData.Bytes(3000, seed: 71));
        Assert.Equal(appA, unary.Application);
        var streamed = await Clients.UploadStreamingAsync(asA, TestData.Bytes(5000, seed: 72));
        Assert.Equal(appA, streamed.Application);
        var named = await Clients.UploadStreamingAsync(asA, TestData.Bytes(700, seed: 73), application: appA);
        Assert.Equal(appA, named.Application);
        var open = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata { Filename = "later.pdf" } })).Session;
        Assert.Equal(UploadState.Open, (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = open.Name })).Session.State);
        Assert.Equal(UploadState.Cancelled, (await uploads.CancelUploadAsync(new CancelUploadRequest { Name = open.Name })).Session.State);

        // Reading everything of A.
        Assert.Equal(appA, (await new ApplicationService.ApplicationServiceClient(asA).GetApplicationAsync(new GetApplicationRequest { Name = appA })).Application.Name);
        Assert.NotEmpty((await new ApplicationService.ApplicationServiceClient(asA).ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = appA })).Events);
        var documents = new DocumentService.DocumentServiceClient(asA);
        Assert.Equal(docA.Sha256, (await documents.GetDocumentAsync(new GetDocumentRequest { Name = docA.Name })).Document.Sha256);
        Assert.Equal(4, (await documents.ListDocumentsAsync(new ListDocumentsRequest { Parent = appA })).Documents.Count);
        Assert.Equal(docA.Sha256, TestData.Sha256(await Clients.DownloadAsync(asA, docA.Name)));
        var processing = new ProcessingService.ProcessingServiceClient(asA);
        Assert.Equal("application/pdf", (await processing.InspectDocumentAsync(new InspectDocumentRequest { Name = docA.Name })).Info.MediaType);
        Assert.NotEmpty((await processing.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { docA.Name }, Options = new ProcessingOptions() })).Rendition.Name);
        var pages = await Clients.ReadAllAsync(new PreviewService.PreviewServiceClient(asA).RenderPreviews(new RenderPreviewsRequest { Name = docA.Name, Width = 200 }).ResponseStream);
        Assert.Contains(pages, p => p.KindCase == RenderPreviewsResponse.KindOneofCase.Page);
        Assert.Equal(Verdict.NotSigned, (await new SignatureService.SignatureServiceClient(asA).VerifySignaturesAsync(new VerifySignaturesRequest { Name = docA.Name })).Report.Verdict);
        var receipts = new ReceiptService.ReceiptServiceClient(asA);
        Assert.NotEmpty((await receipts.GetReceiptAsync(new GetReceiptRequest { Name = docA.Name })).Receipt.Jws);
        Assert.NotEmpty((await receipts.ListReceiptsAsync(new ListReceiptsRequest { Parent = appA })).Receipts);
        Assert.NotEmpty((await receipts.GetReceiptKeysAsync(new GetReceiptKeysRequest())).Keys);
    }

    [Fact]
    public async Task A_token_without_a_permission_is_refused_the_calls_that_need_it()
    {
        var (appA, docA) = await servers.NewApplicationWithDocumentAsync();
        var uploadOnly = servers.Node1.Invoker((await servers.MintAsync(appA, AccessPermission.Upload)).Token);
        var readOnly = servers.Node1.Invoker((await servers.MintAsync(appA, AccessPermission.Read)).Token);

        var document = await Clients.UploadUnaryAsync(uploadOnly, TestData.Bytes(900, seed: 74));
        Assert.Equal(appA, document.Application);
        await Clients.AssertRefusedAsync(StatusCode.PermissionDenied, "TOKEN_PERMISSION_MISSING", () =>
            new DocumentService.DocumentServiceClient(uploadOnly).GetDocumentAsync(new GetDocumentRequest { Name = docA.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.PermissionDenied, "TOKEN_PERMISSION_MISSING", () => Clients.DownloadAsync(uploadOnly, docA.Name));

        Assert.Equal(docA.Sha256, TestData.Sha256(await Clients.DownloadAsync(readOnly, docA.Name)));
        await Clients.AssertRefusedAsync(StatusCode.PermissionDenied, "TOKEN_PERMISSION_MISSING", () =>
            new UploadService.UploadServiceClient(readOnly).CreateUploadSessionAsync(new CreateUploadSessionRequest { Metadata = new UploadMetadata() }).ResponseAsync);
    }

    private static async Task<(StatusCode Code, string Reason, string Message)> RefusalAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? "", e.Status.Detail);
        }
        return (StatusCode.OK, "", "");
    }

    /// <summary>The message with the names it may mention replaced, longest first, so two refusals compare by wording alone.</summary>
    private static string Mask(string message, Names names)
    {
        foreach (var name in new[] { names.Document + "/receipt", names.Document, names.Application, names.Upload, names.Application["applications/".Length..],
                     names.Document[(names.Document.LastIndexOf('/') + 1)..], names.Upload["uploads/".Length..] })
        {
            message = message.Replace(name, "<name>", StringComparison.Ordinal);
        }
        return message;
    }
}
