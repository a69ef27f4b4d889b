using DocEngine.Core.Archive;
using DocEngine.Core.Conversion;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Detection;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Processing;
using Grpc.Core;
using CoreOutputFormat = DocEngine.Core.Processing.OutputFormat;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine process INPUT... --out PATH [--format keep|jpeg|png|pdf] [--dpi N] [--max-edge PX] [--gray] [--max-bytes SIZE]
/// [--split-to SIZE] [--password P] [--allow-breaking-signatures] [--json]</c>: normalizes photos and scans into upright,
/// metadata-free, smaller files, or one PDF; compresses a PDF (or the PDF made of the images) to fit a byte budget, in
/// parts when it must. Offline by default; with <c>--server</c> the inputs are uploaded, processed by the service, and
/// the rendition(s) downloaded. Parts are written beside PATH as NAME-part-1-of-3.pdf, ….
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
        var maxBytes = new Option<string?>("--max-bytes") { Description = "PDF: fit under this size, e.g. 4MB, at the highest quality that fits (split into parts below the legibility floor)" };
        var splitTo = new Option<string?>("--split-to") { Description = "PDF: split into consecutive-page parts of at most this size, e.g. 4MB" };
        var password = new Option<string?>("--password") { Description = "The PDF's password, when it has one (the result is not encrypted)" };
        var allowBreaking = new Option<bool>("--allow-breaking-signatures") { Description = "Compress a signed PDF although that breaks its signatures" };
        var ocr = new Option<bool>("--ocr") { Description = "Add a searchable text layer to pages that have none (Tesseract); page images stay as they are unless a size option is given too" };
        var pdfa = new Option<bool>("--pdfa") { Description = "Make the result a PDF/A-2b archival copy (Ghostscript), checked against the PDF/A-2b rules" };
        var command = new Command("process", "Turn photos and scans upright, strip their metadata, shrink them, or make one PDF of them; convert Word and OpenDocument files to PDF; make scans searchable; make PDF/A copies.")
        {
            inputs, output, format, dpi, maxEdge, gray, json, server, maxBytes, splitTo, password, allowBreaking, ocr, pdfa,
        };
        var credentials = CredentialOptions.AddTo(command, " for --server");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var files = parse.GetValue(inputs)!;
            foreach (var file in files.Where(f => !f.Exists))
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");
            }
            var request = new ProcessingRequest(
                Enum.Parse<CoreOutputFormat>(parse.GetValue(format)!, ignoreCase: true), parse.GetValue(dpi), parse.GetValue(maxEdge), parse.GetValue(gray))
            {
                Ocr = parse.GetValue(ocr),
                Archive = parse.GetValue(pdfa),
            };
            var target = parse.GetValue(output)!;
            var pdf = new PdfCompressionRequest(Size(parse.GetValue(maxBytes), "--max-bytes"), Size(parse.GetValue(splitTo), "--split-to"),
                request.TargetDpi, request.Gray, parse.GetValue(password), parse.GetValue(allowBreaking));
            var compress = pdf.MaxBytes is not null || pdf.SplitTo is not null || request.Ocr || request.Archive || (files.Length == 1 && IsPdfOrOffice(files[0]));
            var response = parse.GetValue(server) is { } url
                ? await ThroughServerAsync(url, credentials.Resolve(parse), files, request, pdf, target, parse.InvocationConfiguration.Error, cancellationToken)
                : compress
                    ? await CompressOfflineAsync(files, request, pdf, target, cancellationToken)
                    : new ProcessDocumentResponse { Rendition = await OfflineAsync(files, request, target, cancellationToken) };
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(parse.GetValue(json)
                ? Output.ToJson(response)
                : response.Parts.Count > 0
                    ? string.Join(Environment.NewLine, response.Parts.Select(p => string.Create(CultureInfo.InvariantCulture,
                        $"{PartPath(target, p.Part, p.PartCount)}: part {p.Part} of {p.PartCount}, pages {p.FirstPage}-{p.LastPage}, {p.SizeBytes:N0} bytes"))
                        .Append(Describe(target, response.Rendition, parts: true)))
                    : Describe(target, response.Rendition));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static long? Size(string? text, string option) =>
        text is null ? null : ByteSize.TryParse(text, out var bytes) ? bytes : throw new CliFailure(ExitCodes.Usage, $"{option} takes a size such as 4MB, 4MiB or 4000000, not '{text}'.");

    private static DetectedType Detect(FileInfo file)
    {
        using var content = file.OpenRead();
        return ContentDetector.Detect(content, file.Name);
    }

    private static bool IsPdfOrOffice(FileInfo file) => Detect(file).Kind is var kind && (kind == DocumentKind.Pdf || OfficeConverter.CanConvert(kind));

    /// <summary>Where part <paramref name="part"/> of <paramref name="count"/> goes: PATH itself when there is one part.</summary>
    internal static string PartPath(FileInfo target, int part, int count) => count <= 1
        ? target.FullName
        : Path.Combine(target.DirectoryName!, $"{Path.GetFileNameWithoutExtension(target.Name)}-part-{part}-of-{count}{target.Extension}");

    /// <summary>
    /// The PDF path in-process, as the service runs it: an office document converted (LibreOffice, started for this run
    /// and stopped after), OCR, compression and PDF/A as asked; images first become one PDF.
    /// </summary>
    private static async Task<ProcessDocumentResponse> CompressOfflineAsync(FileInfo[] files, ProcessingRequest request, PdfCompressionRequest pdf, FileInfo target,
        CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("docengine-process-");
        try
        {
            var input = files[0].FullName;
            var actions = new List<string>();
            var type = Detect(files[0]);
            if (files.Length > 1 && files.Any(f => OfficeConverter.CanConvert(Detect(f).Kind)))
            {
                throw new CliFailure(ExitCodes.Refused, "An office document is converted to PDF on its own, not combined with other files: process it by itself.");
            }
            if (files.Length > 1 || !(type.Kind == DocumentKind.Pdf || OfficeConverter.CanConvert(type.Kind)))
            {
                // Images first become one PDF (upright, clean), which is then made to fit.
                input = Path.Combine(work.FullName, "images.pdf");
                var made = await OfflineAsync(files, new ProcessingRequest(CoreOutputFormat.Pdf, request.TargetDpi, request.MaxEdge, request.Gray), new FileInfo(input), cancellationToken);
                actions.AddRange(made.Report.Actions);
                pdf = pdf with { TargetDpi = null };
                type = new DetectedType(DocumentKind.Pdf, "application/pdf", "a PDF", null);
            }
            var options = new Core.Processing.ProcessingOptions();
            var mutool = new MutoolRenderer(new Core.Previews.PreviewOptions());
            using var office = new OfficeConverter(new ConversionOptions { Listeners = 1 });
            await using var workers = OfflineWorkers.Start();
            var pipeline = new DocumentPipeline(workers.Pool, options, mutool,
                new DocumentConverters(office, new TesseractOcr(new OcrOptions(), mutool, workers.Pool, options), new PdfAWriter(new ArchiveOptions())));
            PdfCompression result;
            try
            {
                result = await pipeline.RunAsync(input, type, files[0].Name, request, pdf, work.FullName, cancellationToken);
            }
            catch (DocEngineException refusal)
            {
                throw CliFailure.From(refusal);
            }
            var response = new ProcessDocumentResponse();
            for (var i = 0; i < result.Parts.Count; i++)
            {
                var part = result.Parts[i];
                var path = PartPath(target, i + 1, result.Parts.Count);
                File.Move(part.Path, path, overwrite: true);
                string sha256;
                await using (var written = File.OpenRead(path))
                {
                    sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken));
                }
                var report = (result.Report with { BytesBefore = files.Sum(f => f.Length), Actions = [.. actions, .. result.Report.Actions] }).ToProto();
                response.Parts.Add(new Rendition
                {
                    MediaType = "application/pdf",
                    SizeBytes = part.Bytes,
                    Sha256 = sha256,
                    Pages = part.LastPage - part.FirstPage + 1,
                    Report = report,
                    Part = result.Parts.Count > 1 ? i + 1 : 0,
                    PartCount = result.Parts.Count > 1 ? result.Parts.Count : 0,
                    FirstPage = part.FirstPage,
                    LastPage = part.LastPage,
                });
            }
            response.Rendition = response.Parts[0];
            if (result.Parts.Count == 1)
            {
                response.Parts.Clear();
            }
            return response;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<Rendition> OfflineAsync(FileInfo[] files, ProcessingRequest request, FileInfo target, CancellationToken cancellationToken)
    {
        var temporary = target.FullName + ".partial";
        try
        {
            ProcessingOutcome outcome;
            await using (var workers = OfflineWorkers.Start())
            {
                outcome = await workers.Pool.RunAsync(new NormalizeJob(files.Select(f => new JobInput(f.FullName, f.Name)).ToList(), request, temporary,
                    new Core.Processing.ProcessingOptions()), cancellationToken);
            }
            string sha256;
            long size;
            await using (var file = File.OpenRead(temporary))
            {
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
                size = file.Length;
            }
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
            File.Delete(temporary);
        }
    }

    private static async Task<ProcessDocumentResponse> ThroughServerAsync(string url, Credential credential, FileInfo[] files, ProcessingRequest request,
        PdfCompressionRequest pdf, FileInfo target, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, credential);
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
            if (pdf.MaxBytes is { } maxBytes)
            {
                options.MaxBytes = maxBytes;
            }
            if (pdf.SplitTo is { } splitTo)
            {
                options.SplitTo = splitTo;
            }
            options.Password = pdf.Password ?? "";
            options.AllowBreakingSignatures = pdf.AllowBreakingSignatures;
            options.Ocr = request.Ocr;
            options.Archive = request.Archive;
            var response = await client.ProcessDocumentAsync(new ProcessDocumentRequest { Documents = { documents.Select(d => d.Name) }, Options = options },
                cancellationToken: cancellationToken);
            foreach (var rendition in response.Parts.Count > 0 ? [.. response.Parts] : new[] { response.Rendition })
            {
                await DownloadCommand.DownloadAsync(connection, rendition.Name, new FileInfo(PartPath(target, rendition.Part, rendition.PartCount)),
                    Output.ProgressConsole(stderr), cancellationToken);
            }
            return response;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
    }

    private static string Describe(FileInfo target, Rendition rendition, bool parts = false)
    {
        var report = rendition.Report;
        var lines = new List<string>
        {
            parts
                ? string.Create(CultureInfo.InvariantCulture, $"All parts: {report.BytesBefore:N0} -> {report.BytesAfter:N0} bytes")
                : string.Create(CultureInfo.InvariantCulture, $"{target.FullName}: {rendition.MediaType}, {rendition.Pages} page(s), {report.BytesBefore:N0} -> {report.BytesAfter:N0} bytes"),
        };
        lines.AddRange(report.Actions.Select(a => "  - " + a));
        lines.AddRange(report.Warnings.Select(w => "  ! " + w));
        return string.Join(Environment.NewLine, lines);
    }
}
