using System.CommandLine;
using System.Globalization;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;
using DocumentInfo = DocEngine.Contract.V1.DocumentInfo;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine inspect INPUT [--password P] [--json]</c>: what a file really is and what it contains. Offline by default
/// (the core runs in this process); with <c>--server</c> the file is uploaded and the service inspects it.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "A local file" };
        var password = new Option<string?>("--password") { Description = "The PDF's password, when it has one" };
        var json = new Option<bool>("--json") { Description = "Print InspectDocumentResponse as proto3 JSON" };
        var server = new Option<string?>("--server") { Description = "Inspect through this DocEngine server instead of in-process" };
        var bytes = new Option<bool>("--bytes") { Description = "For a PDF: split its size by kind (images by class, fonts, content, forms, XFA, metadata, duplicates, unused objects)" };
        var command = new Command("inspect", "Say what a file really is: type from its bytes, pages, size, resolution, metadata, PDF structure.")
        {
            input, password, json, server, bytes,
        };
        var credentials = CredentialOptions.AddTo(command, " for --server");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(input)!;
            if (!file.Exists)
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");
            }
            if (parse.GetValue(bytes))
            {
                return await ByteReportCommand.RunAsync(file, parse.GetValue(password), parse.GetValue(json), parse.GetValue(server) is not null,
                    parse.InvocationConfiguration.Output, cancellationToken);
            }
            var info = parse.GetValue(server) is { } url
                ? await ThroughServerAsync(url, credentials.Resolve(parse), file, parse.GetValue(password), parse.InvocationConfiguration.Error, cancellationToken)
                : await OfflineAsync(file, parse.GetValue(password), cancellationToken);
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(parse.GetValue(json) ? Output.ToJson(new InspectDocumentResponse { Info = info }) : Describe(file, info));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<DocumentInfo> OfflineAsync(FileInfo file, string? password, CancellationToken cancellationToken)
    {
        await using var workers = OfflineWorkers.Start();
        try
        {
            var info = await workers.Pool.RunAsync(new InspectJob(file.FullName, file.Name, password, new Core.Processing.ProcessingOptions()), cancellationToken);
            return info.ToProto();
        }
        catch (DocEngineException refusal)
        {
            throw CliFailure.From(refusal);
        }
    }

    private static async Task<DocumentInfo> ThroughServerAsync(string url, Credential credential, FileInfo file, string? password, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, credential);
        try
        {
            var document = (await new Uploader(connection, ResumeStore.Default(), 64 << 10, stderr).UploadAllAsync([file], null, cancellationToken))[0];
            var client = new ProcessingService.ProcessingServiceClient(connection.Invoker);
            return (await client.InspectDocumentAsync(new InspectDocumentRequest { Name = document.Name, Password = password ?? "" }, cancellationToken: cancellationToken)).Info;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
    }

    private static string Describe(FileInfo file, DocumentInfo info)
    {
        var lines = new List<string> { $"{file.Name}: {info.Description} ({info.MediaType}), {info.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes" };
        if (info.NameMismatch is { Length: > 0 } mismatch)
        {
            lines.Add("  Note: " + mismatch);
        }
        if (info.ConvertsToPdf)
        {
            lines.Add("  An office document: docengine process converts it to PDF (--format pdf), with LibreOffice; macros never run.");
        }
        if (info.Image is { } image)
        {
            lines.Add($"  {image.UprightWidth} × {image.UprightHeight} pixels upright{(image.Frames > 1 ? $", {image.Frames} frames" : "")}, {image.ColorSpace}, {image.BitsPerPixel} bits per pixel");
            lines.Add($"  Resolution: {(image.DpiX > 0 ? image.DpiX.ToString("0.#", CultureInfo.InvariantCulture) + " dpi" : "not stated")}; orientation {image.Orientation}{(image.Orientation > 1 ? " (stored sideways or mirrored; processing turns it upright)" : "")}");
            lines.Add($"  Colour profile: {image.IccProfile}; location (GPS): {(image.HasGps ? "yes" : "no")}; camera details: {(image.HasCameraInfo ? "yes" : "no")}; transparency: {(image.HasAlpha ? "yes" : "no")}");
        }
        if (info.Pdf is { } pdf)
        {
            if (pdf.PasswordRequired)
            {
                lines.Add("  This PDF is password-protected: pass --password, or ask for a copy without a password.");
            }
            else
            {
                lines.Add($"  PDF {pdf.Version}, {pdf.Pages} page(s); first page {pdf.PageSizes.FirstOrDefault()?.WidthPoints / 72:0.##} × {pdf.PageSizes.FirstOrDefault()?.HeightPoints / 72:0.##} in");
                lines.Add($"  Encryption: {Words.Of(pdf.Encryption)}; text layer: {TextLayer(pdf)}; JavaScript: {(pdf.HasJavascript ? "yes" : "no")}; attachments: {(pdf.HasEmbeddedFiles ? "yes" : "no")}; XFA form: {(pdf.HasXfa ? "yes" : "no")}");
                lines.Add($"  Signature fields: {pdf.SignatureFields} ({pdf.SignedSignatureFields} signed)");
            }
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The text layer's coverage in words: which share of the checked pages a reader can search.</summary>
    private static string TextLayer(PdfInfo pdf) => pdf.PagesCheckedForText == 0
        ? "no pages"
        : pdf.TextLayerPages == pdf.PagesCheckedForText
            ? $"on every page{(pdf.PagesCheckedForText < pdf.Pages ? $" of the first {pdf.PagesCheckedForText}" : "")}"
            : pdf.TextLayerPages == 0
                ? "none (scanned pages: --ocr adds one)"
                : $"on {pdf.TextLayerPages} of {(pdf.PagesCheckedForText < pdf.Pages ? $"the first {pdf.PagesCheckedForText}" : pdf.PagesCheckedForText.ToString(CultureInfo.InvariantCulture))} pages (--ocr adds it to the others)";
}
