using System.CommandLine;
using System.Globalization;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Signatures;
using Grpc.Core;
using SignatureReport = DocEngine.Contract.V1.SignatureReport;
using SignatureKind = DocEngine.Contract.V1.SignatureKind;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine verify INPUT [--trust PEM_FILE_OR_DIR]... [--password P] [--content FILE] [--fetch-revocation] [--json]</c>: checks every
/// signature of a PDF (or a detached .p7s against the file it signs) and says plainly what it means. Offline by default;
/// with <c>--server</c> the file is uploaded and the service checks it (--trust anchors are sent with the call).
/// Exit 0 whenever a report is produced, whatever it says.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "A PDF, or a detached signature (.p7s)" };
        var trust = new Option<string[]>("--trust") { Description = "A PEM certificate file, or a folder of them, to trust as issuing authorities (repeatable)", AllowMultipleArgumentsPerToken = false };
        var password = new Option<string?>("--password") { Description = "The PDF's password, when it has one" };
        var content = new Option<FileInfo?>("--content") { Description = "For a .p7s: the file it signs (default: INPUT without .p7s)" };
        var json = new Option<bool>("--json") { Description = "Print VerifySignaturesResponse as proto3 JSON" };
        var fetch = new Option<bool>("--fetch-revocation") { Description = "Fetch OCSP responses and CRLs over the network when the document carries none usable (offline only; off by default: no network)" };
        var server = new Option<string?>("--server") { Description = "Verify through this DocEngine server instead of in-process" };
        var command = new Command("verify", "Check a document's digital signatures: intact? who signed? changed since? trusted?")
        {
            input, trust, password, content, json, fetch, server,
        };
        var credentials = CredentialOptions.AddTo(command, " for --server");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var local = new LocalVerify(parse.GetValue(input)!, parse.GetValue(content), parse.GetValue(password), parse.GetValue(trust) ?? [], parse.GetValue(json));
            var (file, signed, anchors) = (local.File, local.SignedFile(), local.Anchors());
            var report = parse.GetValue(server) is { } url
                ? await ThroughServerAsync(url, credentials.Resolve(parse), file, signed, local.Password, anchors, parse.InvocationConfiguration.Error, cancellationToken)
                : await OfflineAsync(file, signed, local.Password, anchors, parse.GetValue(fetch), cancellationToken);
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(LocalVerify.Render(file, report, local.Json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<SignatureReport> OfflineAsync(FileInfo file, FileInfo? signed, string? password, TrustAnchors anchors, bool fetchRevocation,
        CancellationToken cancellationToken)
    {
        var options = new SignatureOptions { Revocation = new RevocationOptions { Fetch = fetchRevocation } };
        LocalVerify.CheckSize(file, signed, options);
        await using var workers = OfflineWorkers.Start();
        try
        {
            var report = await workers.Pool.VerifySignaturesAsync(VerifySignaturesJob.For(file.FullName, signed?.FullName, signed is null ? password : null, anchors, options),
                cancellationToken);
            return report.ToProto();
        }
        catch (DocEngineException refusal)
        {
            throw CliFailure.From(refusal);
        }
    }

    private static async Task<SignatureReport> ThroughServerAsync(string url, Credential credential, FileInfo file, FileInfo? signed, string? password,
        TrustAnchors anchors, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, credential);
        try
        {
            var uploader = new Uploader(connection, ResumeStore.Default(), 64 << 10, stderr);
            var documents = await uploader.UploadAllAsync(signed is null ? [file] : [file, signed], null, cancellationToken);
            var request = new VerifySignaturesRequest { Name = documents[0].Name, Password = password ?? "", SignedDocument = signed is null ? "" : documents[1].Name };
            request.TrustAnchorsPem.AddRange(anchors.Certificates.Select(c => c.ExportCertificatePem()));
            var client = new SignatureService.SignatureServiceClient(connection.Invoker);
            return (await client.VerifySignaturesAsync(request, cancellationToken: cancellationToken)).Report;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
    }
}
