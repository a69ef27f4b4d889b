using DocEngine.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DocEngine.Core.Uploads;

/// <summary>Upload log events. Ids only: never file names, bytes or other personal data.</summary>
internal static partial class UploadLog
{
    [LoggerMessage(1001, LogLevel.Information, "Upload {UploadId} created for tenant {Tenant}, application {ApplicationId}")]
    public static partial void Created(ILogger logger, string uploadId, string tenant, string applicationId);

    [LoggerMessage(1002, LogLevel.Information, "Upload {UploadId} completed as document {DocumentId}: {SizeBytes} bytes")]
    public static partial void Completed(ILogger logger, string uploadId, string documentId, long sizeBytes);

    [LoggerMessage(1003, LogLevel.Information, "Upload {UploadId} ended as {State}")]
    public static partial void Ended(ILogger logger, string uploadId, UploadState state);

    [LoggerMessage(1004, LogLevel.Warning, "Upload {UploadId} could not commit bytes received before the call ended; they will be discarded")]
    public static partial void PendingCommitFailed(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(1005, LogLevel.Error, "The upload store is out of disk space while writing upload {UploadId}")]
    public static partial void DiskFull(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(1006, LogLevel.Information, "Upload collection: {Expired} expired sessions and {Orphans} stray part files deleted, {Closed} idle files closed")]
    public static partial void Collected(ILogger logger, int expired, int orphans, int closed);
}
