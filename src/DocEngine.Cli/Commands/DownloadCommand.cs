using System.CommandLine;
using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine download NAME --out FILE [--json]</c>: streams a document into <c>FILE.partial</c>, continuing an
/// earlier partial download, and renames it to FILE only when its size and SHA-256 match the document's.
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Document name: applications/{id}/documents/{id}" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the file", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"document\": ...} as proto3 JSON" };
        var command = new Command("download", "Download a document and check its SHA-256.") { name, output, json };
        var server = ServerConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = ServerConnection.Open(parse, server);
            try
            {
                var document = await DownloadAsync(connection, parse.GetValue(name)!, parse.GetValue(output)!,
                    Output.ProgressConsole(parse.InvocationConfiguration.Error), cancellationToken);
                await parse.InvocationConfiguration.Output.WriteLineAsync(parse.GetValue(json)
                    ? Output.ToJson(new GetDocumentResponse { Document = document })
                    : $"{document.Name} -> {parse.GetValue(output)!.FullName} ({document.SizeBytes} bytes, sha256 {document.Sha256} verified)");
                return ExitCodes.Ok;
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                throw connection.Explain(e);
            }
        });
        return command;
    }

    /// <summary>Downloads a document or rendition to <paramref name="output"/> via a .partial file, checking size and SHA-256.</summary>
    internal static async Task<Document> DownloadAsync(ServerConnection connection, string name, FileInfo output, Spectre.Console.IAnsiConsole console, CancellationToken cancellationToken)
    {
        var partial = output.FullName + ".partial";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long offset = 0;
        if (File.Exists(partial))
        {
            await using var existing = File.OpenRead(partial);
            offset = existing.Length;
            await HashAllAsync(existing, hash, cancellationToken);
        }

        var documents = new DocumentService.DocumentServiceClient(connection.Invoker);
        Document? document = null;
        await using (var file = new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        {
            await Output.ByteProgress(console).StartAsync(async context =>
            {
                var task = context.AddTask(name, autoStart: true, maxValue: 1);
                using var call = documents.DownloadDocument(new DownloadDocumentRequest { Name = name, Offset = offset }, cancellationToken: cancellationToken);
                await foreach (var piece in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (piece.Document is { } first)
                    {
                        document = first;
                        task.MaxValue = Math.Max(1, first.SizeBytes);
                        task.Value = offset;
                    }
                    hash.AppendData(piece.Data.Span);
                    await file.WriteAsync(piece.Data.Memory, cancellationToken);
                    task.Increment(piece.Data.Length);
                }
                task.Value = task.MaxValue;
            });
            await file.FlushAsync(cancellationToken);
            if (document is not null && file.Length != document.SizeBytes)
            {
                document = null;
            }
        }
        if (document is null || Convert.ToHexStringLower(hash.GetHashAndReset()) != document.Sha256)
        {
            File.Delete(partial);
            throw new CliFailure(ExitCodes.Other, "The downloaded bytes do not match the document's SHA-256, so nothing was saved: run the command again.");
        }
        File.Move(partial, output.FullName, overwrite: true);
        return document;
    }

    private static async Task HashAllAsync(Stream stream, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }
}
