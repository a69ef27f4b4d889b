using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using Crc32C = DocEngine.Core.Uploads.Crc32C;
using Google.Protobuf;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// Streams one file over the Upload RPC, resuming from the server's durable offset when a previous run was
/// interrupted. Every chunk carries a CRC32C and the finish carries the whole file's SHA-256, which the server checks.
/// </summary>
internal sealed class Uploader(ServerConnection connection, ResumeStore resume, int chunkSize, TextWriter stderr)
{
    private readonly UploadService.UploadServiceClient _uploads = new(connection.Invoker);
    private readonly DocumentService.DocumentServiceClient _documents = new(connection.Invoker);

    /// <summary>
    /// Uploads files in order into one application, with a progress bar each on stderr: the one named (created when
    /// missing), else the one an earlier interrupted run of these files was using, else a new one for several files,
    /// else (one file) whatever the server makes.
    /// </summary>
    public async Task<IReadOnlyList<Document>> UploadAllAsync(IReadOnlyList<FileInfo> files, string? applicationId, CancellationToken cancellationToken)
    {
        var application = await ChooseApplicationAsync(files, applicationId, cancellationToken);
        var console = Output.ProgressConsole(stderr);
        var documents = new List<Document>();
        foreach (var file in files)
        {
            await Output.ByteProgress(console).StartAsync(async context =>
            {
                var task = context.AddTask(file.Name, maxValue: Math.Max(1, file.Length));
                documents.Add(await UploadAsync(file, application, new Progress<long>(bytes => task.Value = bytes), cancellationToken));
                task.Value = task.MaxValue;
            });
            application = documents[^1].Application; // a lone file's new application holds any that follow
        }
        return documents;
    }

    private async Task<string> ChooseApplicationAsync(IReadOnlyList<FileInfo> files, string? applicationId, CancellationToken cancellationToken)
    {
        var applications = new ApplicationService.ApplicationServiceClient(connection.Invoker);
        applicationId ??= connection.Credential.TokenApplication; // an applicant token opens one application: that is where its files go
        if (applicationId is not null)
        {
            var id = applicationId.StartsWith("applications/", StringComparison.Ordinal) ? applicationId["applications/".Length..] : applicationId;
            if (connection.Credential.IsToken)
            {
                return "applications/" + id; // an applicant cannot create applications; the server checks the token opens this one
            }
            try
            {
                return (await applications.GetApplicationAsync(new GetApplicationRequest { Name = "applications/" + id }, cancellationToken: cancellationToken)).Application.Name;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                var created = (await applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = id }, cancellationToken: cancellationToken)).Application;
                await stderr.WriteLineAsync($"Created application {created.Name}.");
                return created.Name;
            }
        }
        foreach (var file in files)
        {
            if (await FindPreviousAsync(file, cancellationToken) is { } previous)
            {
                return previous.Application;
            }
        }
        if (files.Count == 1)
        {
            return "";
        }
        var fresh = (await applications.CreateApplicationAsync(new CreateApplicationRequest(), cancellationToken: cancellationToken)).Application;
        await stderr.WriteLineAsync($"Created application {fresh.Name} for these {files.Count} files.");
        return fresh.Name;
    }

    /// <summary>What the server has of a file from an earlier run: an open session to continue, or a finished document.</summary>
    public async Task<UploadSession?> FindPreviousAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var key = ResumeStore.KeyFor(connection.Url, file);
        if (resume.Load(key) is not { } name)
        {
            return null;
        }
        try
        {
            var session = (await _uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = name }, cancellationToken: cancellationToken)).Session;
            if (session.State == UploadState.Completed || (session.State == UploadState.Open && session.SizeBytes == file.Length))
            {
                return session;
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
        resume.Forget(key); // expired, cancelled, refused, or not ours: start over
        return null;
    }

    /// <summary>Uploads <paramref name="file"/> into <paramref name="application"/> (empty: a new one), reporting bytes to <paramref name="progress"/>.</summary>
    public async Task<Document> UploadAsync(FileInfo file, string application, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var previous = await FindPreviousAsync(file, cancellationToken);
        if (previous?.State == UploadState.Completed)
        {
            resume.Forget(ResumeStore.KeyFor(connection.Url, file));
            progress.Report(file.Length);
            return (await _documents.GetDocumentAsync(new GetDocumentRequest { Name = previous.Document }, cancellationToken: cancellationToken)).Document;
        }
        if (previous is not null)
        {
            await stderr.WriteLineAsync($"Resuming {file.Name} from byte {previous.CommittedOffset} of {file.Length}.");
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendFileAsync(file, application, previous, progress, cancellationToken);
            }
            catch (RpcException e) when (previous is not null && attempt < 3 && CurrentOffset(e) is { } current)
            {
                // The interrupted call was still committing its last chunks when we asked: continue from where it ended.
                previous.CommittedOffset = current;
            }
            catch (RpcException e) when (attempt <= RateLimitRetry.MaxRetries && RateLimitRetry.DelayOf(e, attempt) is { } wait)
            {
                // Refused for its rate before a byte was taken: wait as the server asks, then open the stream again.
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task<Document> SendFileAsync(FileInfo file, string application, UploadSession? previous, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var key = ResumeStore.KeyFor(connection.Url, file);
        var first = previous is null
            ? new UploadRequest
            {
                Start = new UploadMetadata
                {
                    Application = application,
                    Filename = file.Name, // no media type hint: the server detects the type from the bytes
                    SizeBytes = file.Length,
                },
            }
            : new UploadRequest { Resume = new UploadResume { Name = previous.Name, Offset = previous.CommittedOffset } };

        using var call = _uploads.Upload(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(first, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The server can end the call before reading a byte (a wrong API key): its status, read next, says why.
        }
        if (!await call.ResponseStream.MoveNext(cancellationToken) || call.ResponseStream.Current.Session is not { } session)
        {
            throw new CliFailure(ExitCodes.Other, "The server did not open the upload; run the command again.");
        }
        resume.Save(key, session.Name);

        Document? document = null;
        var responses = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                document = call.ResponseStream.Current.Document ?? document;
            }
        }, cancellationToken);
        try
        {
            var sha256 = await SendAsync(file, session.CommittedOffset, call.RequestStream, progress, cancellationToken);
            await call.RequestStream.WriteAsync(new UploadRequest { Finish = new UploadFinish { Sha256 = sha256 } }, cancellationToken);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) when (!responses.IsFaulted && !cancellationToken.IsCancellationRequested)
        {
            // A write fails when the server has already ended the call; its status, read below, says why.
            await Task.WhenAny(responses, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            if (!responses.IsFaulted)
            {
                throw;
            }
        }
        await responses;
        resume.Forget(key);
        return document ?? throw new CliFailure(ExitCodes.Other, "The server ended the upload without a document; run the command again to resume.");
    }

    private static long? CurrentOffset(RpcException e) =>
        e.StatusCode == StatusCode.FailedPrecondition
        && e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>() is { Reason: "UPLOAD_OFFSET_MISMATCH" } info
        && long.TryParse(info.Metadata["current_offset"], System.Globalization.CultureInfo.InvariantCulture, out var current)
            ? current
            : null;

    /// <summary>Hashes the bytes the server already has, then sends the rest; returns the whole file's SHA-256.</summary>
    private async Task<string> SendAsync(FileInfo file, long offset, IClientStreamWriter<UploadRequest> requests, IProgress<long> progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        var buffer = new byte[chunkSize];
        long position = 0;
        while (true)
        {
            var want = position < offset ? (int)Math.Min(chunkSize, offset - position) : chunkSize;
            var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                break;
            }
            var data = buffer.AsMemory(0, read);
            hash.AppendData(data.Span);
            if (position >= offset)
            {
                // The message is serialized before WriteAsync completes, so the buffer can be refilled after it.
                await requests.WriteAsync(new UploadRequest
                {
                    Chunk = new UploadChunk { Data = UnsafeByteOperations.UnsafeWrap(data), Crc32C = Crc32C.Compute(data.Span) },
                }, cancellationToken);
            }
            position += read;
            progress.Report(position);
        }
        if (position != file.Length)
        {
            throw new CliFailure(ExitCodes.Refused, $"{file.Name} changed while it was being uploaded: run the command again once it is stable.");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
