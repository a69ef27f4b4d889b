using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;
using Grpc.Core;
using CoreOutputFormat = DocEngine.Core.Processing.OutputFormat;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine process INPUT... --out PATH [--format keep|jpeg|png|pdf] [--dpi N] [--max-edge PX] [--gray] [--json]</c>:
/// normalizes photos and scans into upright, metadata-free, smaller files, or one PDF. Offline by default; with
/// <c>--server</c> the inputs are uploaded, processed by the service, and the rendition is downloaded to PATH.
/// </summary>
internal static class ProcessCommand
{
    public static Command Create()
    {
        var inputs = new Argument<FileInfo[]>("INPUT") { Description = "Local files; several only with --format pdf", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the result", Required = true };
        var format = new Option<string>("--format") { Description = "keep (default), jpeg, png or pdf", DefaultValueFactory = _ => "keep" };
        format.AcceptOnlyFromAmong("keep", "jpeg", "png", "pdf");
        var dpi = new Option<int?>("--dpi") { Description = "Downscale to at most this resolution (never upscales), e.g. 150" };
        var maxEdge = new Option<int?>("--max-edge") { Description = "Downscale so the long side is at most PX pixels, e.g. 1600" };
        var gray = new Option<bool>("--gray") { Description = "Convert to grayscale" };
        var json = new Option<bool>("--json") { Description = "Print ProcessDocumentResponse as proto3 JSON" };
        var server = new Option<string?>("--server") { Description = "Process through this DocEngine server instead of in-process" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for --server (default: env DOCENGINE_API_KEY, else the Development key)" };
        var command = new Command("process", "Turn photos and scans upright, strip their metadata, shrink them, or make one PDF of them.")
        {
            inputs, output, format, dpi, maxEdge, gray, json, server, apiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var files = parse.GetValue(inputs)!;
            foreach (var file in files.Where(f => !f.Exists))
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");
            }
            var request = new ProcessingRequest(
                Enum.Parse<CoreOutputFormat>(parse.GetValue(format)!, ignoreCase: true), parse.GetValue(dpi), parse.GetValue(maxEdge), parse.GetValue(gray));
            var target = parse.GetValue(output)!;
            var rendition = parse.GetValue(server) is { } url
                ? await ThroughServerAsync(url, parse.GetValue(apiKey), files, request, target, parse.InvocationConfiguration.Error, cancellationToken)
                : await OfflineAsync(files, request, target, cancellationToken);
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(parse.GetValue(json) ? Output.ToJson(new ProcessDocumentResponse { Rendition = rendition }) : Describe(target, rendition));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<Rendition> OfflineAsync(FileInfo[] files, ProcessingRequest request, FileInfo target, CancellationToken cancellationToken)
    {
        var options = new Core.ProcessingOptions();
        var processor = new DocumentProcessor(new ImagingConfiguration(options));
        var streams = files.Select(f => (Stream)f.OpenRead()).ToList();
        var temporary = target.FullName + ".partial";
        try
        {
            var (outcome, sha256, size) = await TimeLimit.RunAsync(token =>
            {
                using var file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite);
                var result = processor.Process(files.Zip(streams, (f, s) => new ProcessingInput(s, f.Name)).ToList(), request, file, token);
                file.Position = 0;
                return (result, Convert.ToHexStringLower(SHA256.HashData(file)), file.Length);
            }, options.MaxProcessingTime, cancellationToken);
            File.Move(temporary, target.FullName, overwrite: true);
            return new Rendition
            {
                MediaType = outcome.MediaType,
                SizeBytes = size,
                Sha256 = sha256,
                Pages = outcome.Pages,
                Width = outcome.Width,
                Height = outcome.Height,
                Report = outcome.Report.ToProto(),
            };
        }
        catch (DocEngineException refusal)
        {
            throw CliFailure.From(refusal);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
            File.Delete(temporary);
        }
    }

    private static async Task<Rendition> ThroughServerAsync(string url, string? apiKey, FileInfo[] files, ProcessingRequest request, FileInfo target,
        TextWriter stderr, CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, apiKey);
        try
        {
            var documents = await new Uploader(connection, ResumeStore.Default(), 64 << 10, stderr).UploadAllAsync(files, null, cancellationToken);
            var client = new ProcessingService.ProcessingServiceClient(connection.Invoker);
            var options = new Contract.V1.ProcessingOptions
            {
                Format = request.Format switch
                {
                    CoreOutputFormat.Jpeg => Contract.V1.OutputFormat.Jpeg,
                    CoreOutputFormat.Png => Contract.V1.OutputFormat.Png,
                    CoreOutputFormat.Pdf => Contract.V1.OutputFormat.Pdf,
                    _ => Contract.V1.OutputFormat.Keep,
                },
                Gray = request.Gray,
            };
            if (request.TargetDpi is { } targetDpi)
            {
                options.Dpi = targetDpi;
            }
            if (request.MaxEdge is { } edge)
            {
                options.MaxEdge = edge;
            }
            var rendition = (await client.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { documents.Select(d => d.Name) }, Options = options },
                cancellationToken: cancellationToken)).Rendition;
            await DownloadCommand.DownloadAsync(connection, rendition.Name, target, Output.ProgressConsole(stderr), cancellationToken);
            return rendition;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
    }

    private static string Describe(FileInfo target, Rendition rendition)
    {
        var report = rendition.Report;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{target.FullName}: {rendition.MediaType}, {rendition.Pages} page(s), {report.BytesBefore:N0} -> {report.BytesAfter:N0} bytes"),
        };
        lines.AddRange(report.Actions.Select(a => "  - " + a));
        lines.AddRange(report.Warnings.Select(w => "  ! " + w));
        return string.Join(Environment.NewLine, lines);
    }
}
