using DocEngine.Contract.V1;
using Grpc.Core;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// The RPCs a bench request is made of, each as lean as a portal would make it: no resume bookkeeping, no progress
/// bars and no files written, so the client spends its time sending and receiving.
/// </summary>
internal static class BenchCalls
{
    /// <summary>The byte budget the portal mix asks for (DESIGN.md: the per-file limit is 4 MB, SI).</summary>
    public const long PortalMaxBytes = 4_000_000;

    /// <summary>Streams <paramref name="input"/> into <paramref name="application"/> and returns the stored document.</summary>
    public static async Task<Document> UploadAsync(CallInvoker invoker, string application, BenchInput input, DateTime deadline, CancellationToken cancellationToken)
    {
        using var call = new UploadService.UploadServiceClient(invoker).Upload(deadline: deadline, cancellationToken: cancellationToken);
        // Read while writing: the server answers each commit point, and an unread reply stream would stall it.
        var responses = ReadDocumentAsync(call.ResponseStream, cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new UploadRequest
            {
                Start = new UploadMetadata { Application = application, Filename = input.Name, SizeBytes = input.Bytes.Length },
            }, cancellationToken);
            foreach (var chunk in input.Chunks)
            {
                await call.RequestStream.WriteAsync(chunk, cancellationToken);
            }
            await call.RequestStream.WriteAsync(input.Finish, cancellationToken);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A write fails when the server has already ended the call: its status, on the reply stream, says why.
            await Task.WhenAny(responses, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            if (!responses.IsFaulted)
            {
                throw;
            }
        }
        return await responses ?? throw new InvalidOperationException("The server ended the upload without a document.");
    }

    /// <summary>Compresses a stored PDF or image to the portal's 4 MB, doing the work even when the result is stored.</summary>
    public static async Task<ProcessDocumentResponse> ProcessAsync(CallInvoker invoker, string document, DateTime deadline, CancellationToken cancellationToken) =>
        await new ProcessingService.ProcessingServiceClient(invoker).ProcessDocumentAsync(new ProcessDocumentRequest
        {
            Documents = { document },
            Options = new ProcessingOptions { MaxBytes = PortalMaxBytes },
            BypassCache = true,
        }, deadline: deadline, cancellationToken: cancellationToken);

    /// <summary>Renders <paramref name="pages"/> at <paramref name="width"/> pixels, drawing them even when stored; returns the image bytes received.</summary>
    public static async Task<long> PreviewAsync(CallInvoker invoker, string document, string pages, int width, DateTime deadline, CancellationToken cancellationToken)
    {
        using var call = new PreviewService.PreviewServiceClient(invoker).RenderPreviews(new RenderPreviewsRequest
        {
            Name = document,
            Pages = pages,
            Width = width,
            BypassCache = true,
        }, deadline: deadline, cancellationToken: cancellationToken);
        long bytes = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            bytes += message.KindCase switch
            {
                RenderPreviewsResponse.KindOneofCase.Page => message.Page.Data.Length,
                RenderPreviewsResponse.KindOneofCase.ContactSheet => message.ContactSheet.Data.Length,
                _ => 0,
            };
        }
        return bytes;
    }

    /// <summary>Verifies every signature of a stored PDF.</summary>
    public static async Task<VerifySignaturesResponse> VerifyAsync(CallInvoker invoker, string document, DateTime deadline, CancellationToken cancellationToken) =>
        await new SignatureService.SignatureServiceClient(invoker).VerifySignaturesAsync(new VerifySignaturesRequest { Name = document },
            deadline: deadline, cancellationToken: cancellationToken);

    private static async Task<Document?> ReadDocumentAsync(IAsyncStreamReader<UploadResponse> responses, CancellationToken cancellationToken)
    {
        Document? document = null;
        while (await responses.MoveNext(cancellationToken))
        {
            document = responses.Current.Document ?? document;
        }
        return document;
    }
}
