using DocEngine.Contract.V1;
using DocEngine.Core.Access;
using Google.Protobuf;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// What an applicant token may call, and where in each request the resources it names are: the one table of applicant
/// authorization. A method missing from it is for tenants only (deny by default), so an RPC added later is closed to
/// applicants until someone decides otherwise here.
/// </summary>
internal static class ApplicantScope
{
    /// <summary>How a request field names a resource.</summary>
    public enum NameKind
    {
        /// <summary>"applications/{id}" (or the bare id).</summary>
        Application,
        /// <summary>A name under an application: "applications/{id}/documents/…" (documents, renditions, receipts).</summary>
        UnderApplication,
        /// <summary>"uploads/{id}" (or the bare id): its application is looked up.</summary>
        Upload,
        /// <summary>The application a new upload goes into; empty means the token's own.</summary>
        NewUploadApplication,
    }

    /// <summary>One resource name in a request: its kind, the proto field, and how to read it.</summary>
    public sealed record Target(NameKind Kind, string Field, string Value);

    /// <summary>An RPC applicants may call: the permission it needs and the names in its request.</summary>
    public sealed record Rule(AccessPermissions Needs, Func<IMessage, IEnumerable<Target>> Targets);

    private static readonly Rule Public = new(AccessPermissions.None, _ => []);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        // Uploads into the token's application.
        [Method(UploadService.Descriptor, "CreateUploadSession")] = Upload<CreateUploadSessionRequest>(r =>
            [new(NameKind.NewUploadApplication, "metadata.application", r.Metadata?.Application ?? "")]),
        [Method(UploadService.Descriptor, "Upload")] = Upload<UploadRequest>(r => r.KindCase switch
        {
            UploadRequest.KindOneofCase.Start => [new(NameKind.NewUploadApplication, "start.application", r.Start.Application)],
            UploadRequest.KindOneofCase.Resume => [new(NameKind.Upload, "resume.name", r.Resume.Name)],
            _ => [],
        }),
        [Method(UploadService.Descriptor, "AppendUploadChunk")] = Upload<AppendUploadChunkRequest>(r => [new(NameKind.Upload, "name", r.Name)]),
        [Method(UploadService.Descriptor, "CompleteUpload")] = Upload<CompleteUploadRequest>(r => [new(NameKind.Upload, "name", r.Name)]),
        [Method(UploadService.Descriptor, "GetUploadStatus")] = Upload<GetUploadStatusRequest>(r => [new(NameKind.Upload, "name", r.Name)]),
        [Method(UploadService.Descriptor, "CancelUpload")] = Upload<CancelUploadRequest>(r => [new(NameKind.Upload, "name", r.Name)]),

        // Reading the token's application and what is in it.
        [Method(ApplicationService.Descriptor, "GetApplication")] = Read<GetApplicationRequest>(r => [new(NameKind.Application, "name", r.Name)]),
        [Method(ApplicationService.Descriptor, "ListApplicationEvents")] = Read<ListApplicationEventsRequest>(r => [new(NameKind.Application, "parent", r.Parent)]),
        [Method(DocumentService.Descriptor, "GetDocument")] = Read<GetDocumentRequest>(r => [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(DocumentService.Descriptor, "ListDocuments")] = Read<ListDocumentsRequest>(r => [new(NameKind.Application, "parent", r.Parent)]),
        [Method(DocumentService.Descriptor, "DownloadDocument")] = Read<DownloadDocumentRequest>(r => [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(ProcessingService.Descriptor, "InspectDocument")] = Read<InspectDocumentRequest>(r => [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(ProcessingService.Descriptor, "ProcessDocument")] = Read<ProcessDocumentRequest>(r => r.Documents.Select(d => new Target(NameKind.UnderApplication, "documents", d))),
        [Method(PreviewService.Descriptor, "RenderPreviews")] = Read<RenderPreviewsRequest>(r => [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(SignatureService.Descriptor, "VerifySignatures")] = Read<VerifySignaturesRequest>(r => r.SignedDocument.Length > 0
            ? [new(NameKind.UnderApplication, "name", r.Name), new(NameKind.UnderApplication, "signed_document", r.SignedDocument)]
            : [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(ReceiptService.Descriptor, "GetReceipt")] = Read<GetReceiptRequest>(r => [new(NameKind.UnderApplication, "name", r.Name)]),
        [Method(ReceiptService.Descriptor, "ListReceipts")] = Read<ListReceiptsRequest>(r => [new(NameKind.Application, "parent", r.Parent)]),

        // Public facts: the keys anyone checks receipts with.
        [Method(ReceiptService.Descriptor, "GetReceiptKeys")] = Public,
    };

    /// <summary>The rule for a full method name ("/docengine.v1.UploadService/Upload"), or null: tenants only.</summary>
    public static Rule? For(string method) => Rules.GetValueOrDefault(method);

    /// <summary>Every method applicants may call (for tests and the README).</summary>
    public static IReadOnlyCollection<string> Methods => Rules.Keys;

    private static string Method(Google.Protobuf.Reflection.ServiceDescriptor service, string name) =>
        $"/{service.FullName}/{service.FindMethodByName(name)?.Name ?? throw new InvalidOperationException($"{service.FullName} has no method {name}.")}";

    private static Rule Upload<T>(Func<T, IEnumerable<Target>> targets) where T : IMessage => new(AccessPermissions.Upload, m => targets((T)m));

    private static Rule Read<T>(Func<T, IEnumerable<Target>> targets) where T : IMessage => new(AccessPermissions.Read, m => targets((T)m));
}
