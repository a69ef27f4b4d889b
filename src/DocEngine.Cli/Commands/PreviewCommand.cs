using DocEngine.Core.Mupdf;
using System.CommandLine;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Previews;
using Grpc.Core;
using CorePreviewFormat = DocEngine.Core.Previews.PreviewFormat;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine preview INPUT [--pages 1-3,7] [--width PX | --dpi N] [--format png|jpeg|webp] [--contact-sheet] [--password P] --out DIR [--json]</c>:
/// writes page-0001.png, page-0002.png, … (and contact-sheet.png) into DIR. A local file previews offline by default
/// (mutool runs locally); with <c>--server</c> it is uploaded and the service streams the previews. A stored document or
/// rendition (<c>applications/…/documents/…</c>) is always previewed by the server, which is the upload exactly as received.
/// </summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("INPUT") { Description = "A local file, or a stored document or rendition: applications/…/documents/…[/renditions/…]" };
        var pages = new Option<string?>("--pages") { Description = "Pages such as 1-3,7 (default: all)" };
        var width = new Option<int?>("--width") { Description = "Width in pixels (default 1000)" };
        var dpi = new Option<int?>("--dpi") { Description = "Resolution instead of a width" };
        var format = new Option<string>("--format") { Description = "png (default), jpeg or webp", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "jpeg", "webp");
        var contactSheet = new Option<bool>("--contact-sheet") { Description = "Also write contact-sheet.<format>: every page as a labelled thumbnail" };
        var password = new Option<string?>("--password") { Description = "The PDF's password, when it has one" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the page images into", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a PreviewManifest (proto3 JSON) of what was written" };
        var server = new Option<string?>("--server") { Description = $"Preview through this DocEngine server instead of in-process (stored documents: default env DOCENGINE_SERVER, else {ServerConnection.DefaultServer})" };
        var command = new Command("preview", "Write page images of exactly what a file shows, so you can check it.")
        {
            input, pages, width, dpi, format, contactSheet, password, output, json, server,
        };
        var credentials = CredentialOptions.AddTo(command, " for --server");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(input)!;
            var file = new FileInfo(target);
            var stored = !file.Exists && target.StartsWith("applications/", StringComparison.Ordinal);
            if (!file.Exists && !stored)
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");
            }
            var request = new PreviewRequest(parse.GetValue(pages), parse.GetValue(width), parse.GetValue(dpi),
                Enum.Parse<CorePreviewFormat>(parse.GetValue(format)!, ignoreCase: true), parse.GetValue(password), parse.GetValue(contactSheet));
            var url = parse.GetValue(server) ?? (stored ? ServerConnection.DefaultUrl() : null);
            var messages = url is not null
                ? ThroughServerAsync(url, credentials.Resolve(parse), stored ? null : file, target, request, parse.InvocationConfiguration.Error, cancellationToken)
                : OfflineAsync(file, request, cancellationToken);
            await LocalPreview.WriteAllAsync(messages, parse.GetValue(output)!, parse.GetValue(json), parse.InvocationConfiguration.Output,
                parse.InvocationConfiguration.Error, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async IAsyncEnumerable<RenderPreviewsResponse> OfflineAsync(FileInfo file, PreviewRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new Core.Previews.PreviewOptions();
        await using var workers = OfflineWorkers.Start();
        var renderer = new PreviewRenderer(new MutoolRenderer(options), workers.Pool, new Core.Processing.ProcessingOptions(), options);
        await foreach (var message in LocalPreview.RenderAsync(renderer, file, request, options, cancellationToken))
        {
            yield return message;
        }
    }

    /// <summary>Previews <paramref name="file"/> after uploading it, or, when it is null, the stored <paramref name="name"/>.</summary>
    private static async IAsyncEnumerable<RenderPreviewsResponse> ThroughServerAsync(string url, Credential credential, FileInfo? file, string name,
        PreviewRequest request, TextWriter stderr, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, credential);
        AsyncServerStreamingCall<RenderPreviewsResponse> call;
        try
        {
            if (file is not null)
            {
                name = (await new Uploader(connection, ResumeStore.Default(), 64 << 10, stderr).UploadAllAsync([file], null, cancellationToken))[0].Name;
            }
            call = new Contract.V1.PreviewService.PreviewServiceClient(connection.Invoker).RenderPreviews(new RenderPreviewsRequest
            {
                Name = name,
                Pages = request.Pages ?? "",
                Width = request.Width ?? 0,
                Dpi = request.Dpi ?? 0,
                Format = request.Format.ToProto(),
                Password = request.Password ?? "",
                ContactSheet = request.ContactSheet,
            }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
        using (call)
        {
            while (true)
            {
                try
                {
                    if (!await call.ResponseStream.MoveNext(cancellationToken))
                    {
                        yield break;
                    }
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
                {
                    throw connection.Explain(e);
                }
                yield return call.ResponseStream.Current;
            }
        }
    }
}
