using DocEngine.Contract.V1;
using DocEngine.Core.Storage;
using DocEngine.Core.Uploads;
using Google.Protobuf.WellKnownTypes;
using ContractUploadState = DocEngine.Contract.V1.UploadState;
using CoreUploadState = DocEngine.Core.Storage.UploadState;

namespace DocEngine.Server.Services;

/// <summary>Core records to contract messages. Nothing else in the server knows both shapes.</summary>
internal static class ProtoMapping
{
    public static Application ToProto(this ApplicationRecord application) => new()
    {
        Name = ResourceNames.Application(application.Id),
        DisplayName = application.DisplayName,
        CreateTime = Timestamp.FromDateTimeOffset(application.CreateTime),
        SubmitTime = application.SubmitTime is { } submitted ? Timestamp.FromDateTimeOffset(submitted) : null,
        DocumentCount = application.DocumentCount,
    };

    public static Document ToProto(this DocumentRecord document) => new()
    {
        Name = ResourceNames.Document(document.ApplicationId, document.Id),
        Application = ResourceNames.Application(document.ApplicationId),
        Filename = document.Filename,
        MediaType = document.MediaType,
        SizeBytes = document.SizeBytes,
        Sha256 = document.Sha256,
        CreateTime = Timestamp.FromDateTimeOffset(document.CreateTime),
        Supplementary = document.Supplementary,
        Version = document.Version,
        Upload = ResourceNames.Upload(document.UploadId),
    };

    public static UploadSession ToProto(this UploadRecord upload)
    {
        var session = new UploadSession
        {
            Name = ResourceNames.Upload(upload.Id),
            Application = ResourceNames.Application(upload.ApplicationId),
            Filename = upload.Filename,
            MediaType = upload.MediaType,
            CommittedOffset = upload.CommittedOffset,
            State = upload.State switch
            {
                CoreUploadState.Open or CoreUploadState.Completing => ContractUploadState.Open,
                CoreUploadState.Completed => ContractUploadState.Completed,
                CoreUploadState.Cancelled => ContractUploadState.Cancelled,
                CoreUploadState.Expired => ContractUploadState.Expired,
                _ => ContractUploadState.Failed,
            },
            CreateTime = Timestamp.FromDateTimeOffset(upload.CreateTime),
            ExpireTime = Timestamp.FromDateTimeOffset(upload.ExpireTime),
            Document = upload.DocumentId is { } documentId ? ResourceNames.Document(upload.ApplicationId, documentId) : "",
            Sha256 = upload.DeclaredSha256 ?? "",
            Failure = upload.Failure ?? "",
        };
        if (upload.DeclaredSize is { } size)
        {
            session.SizeBytes = size;
        }
        return session;
    }

    public static NewUpload ToCore(this UploadMetadata metadata) => new(
        ApplicationId: metadata.Application is "" ? null : ResourceNames.ParseApplication(metadata.Application, "application"),
        Filename: metadata.Filename,
        MediaType: metadata.MediaType,
        SizeBytes: metadata.HasSizeBytes ? metadata.SizeBytes : null,
        Sha256: metadata.Sha256);

    public static Receipt ToProto(this ReceiptRecord receipt) => new()
    {
        Name = ResourceNames.Document(receipt.ApplicationId, receipt.DocumentId) + "/receipt",
        Jws = receipt.Jws,
        Sha256 = receipt.Sha256,
        Sequence = receipt.Sequence,
        PreviousReceiptSha256 = receipt.PreviousSha256 ?? "",
        KeyId = receipt.KeyId,
        IssueTime = Timestamp.FromDateTimeOffset(receipt.IssueTime),
        PayloadJson = System.Text.Encoding.UTF8.GetString(Core.Receipts.Jws.FromBase64Url(receipt.Jws.Split('.')[1])),
    };

    public static ApplicationEvent ToProto(this ApplicationEventRecord record) => new()
    {
        Time = Timestamp.FromDateTimeOffset(record.Time),
        Kind = record.Kind switch
        {
            Core.Storage.ApplicationEventKind.Created => Contract.V1.ApplicationEventKind.Created,
            Core.Storage.ApplicationEventKind.UploadStarted => Contract.V1.ApplicationEventKind.UploadStarted,
            Core.Storage.ApplicationEventKind.DocumentReceived => Contract.V1.ApplicationEventKind.DocumentReceived,
            Core.Storage.ApplicationEventKind.SupplementaryDocumentReceived => Contract.V1.ApplicationEventKind.SupplementaryDocumentReceived,
            Core.Storage.ApplicationEventKind.Submitted => Contract.V1.ApplicationEventKind.Submitted,
            Core.Storage.ApplicationEventKind.RenditionMade => Contract.V1.ApplicationEventKind.RenditionMade,
            Core.Storage.ApplicationEventKind.DocumentRead => Contract.V1.ApplicationEventKind.DocumentRead,
            Core.Storage.ApplicationEventKind.AccessTokenCreated => Contract.V1.ApplicationEventKind.AccessTokenCreated,
            Core.Storage.ApplicationEventKind.AccessTokenRevoked => Contract.V1.ApplicationEventKind.AccessTokenRevoked,
            _ => Contract.V1.ApplicationEventKind.ReceiptIssued,
        },
        Resource = record.Resource,
        Description = record.Description,
        Actor = record.Actor,
        AccessToken = record.AccessToken is "" ? "" : "accessTokens/" + record.AccessToken,
    };

    public static AccessToken ToProto(this AccessTokenRecord record)
    {
        var proto = new AccessToken
        {
            Name = "accessTokens/" + record.Id,
            Application = ResourceNames.Application(record.ApplicationId),
            CreateTime = Timestamp.FromDateTimeOffset(record.CreateTime),
            ExpireTime = Timestamp.FromDateTimeOffset(record.ExpireTime),
            RevokeTime = record.RevokeTime is { } revoked ? Timestamp.FromDateTimeOffset(revoked) : null,
        };
        Core.Access.AccessPermissionNames.TryParse(record.Permissions, out var permissions);
        if (permissions.HasFlag(Core.Access.AccessPermissions.Upload))
        {
            proto.Permissions.Add(AccessPermission.Upload);
        }
        if (permissions.HasFlag(Core.Access.AccessPermissions.Read))
        {
            proto.Permissions.Add(AccessPermission.Read);
        }
        return proto;
    }
}
