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
            var file = parse.GetValue(input)!;
            if (!file.Exists)
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");
            }
            var signed = parse.GetValue(content);
            if (signed is null && file.Extension.Equals(".p7s", StringComparison.OrdinalIgnoreCase))
            {
                signed = new FileInfo(file.FullName[..^4]);
                if (!signed.Exists)
                {
                    throw new CliFailure(ExitCodes.Usage, $"{file.Name} is a detached signature: give the file it signs with --content FILE.");
                }
            }
            if (signed is { Exists: false })
            {
                throw new CliFailure(ExitCodes.Usage, $"No such file: {signed.FullName}.");
            }
            TrustAnchors anchors;
            try
            {
                anchors = TrustAnchors.Load(parse.GetValue(trust) ?? []);
            }
            catch (DocEngineException e)
            {
                throw new CliFailure(ExitCodes.Usage, e.Message);
            }
            var report = parse.GetValue(server) is { } url
                ? await ThroughServerAsync(url, credentials.Resolve(parse), file, signed, parse.GetValue(password), anchors, parse.InvocationConfiguration.Error, cancellationToken)
                : await OfflineAsync(file, signed, parse.GetValue(password), anchors, parse.GetValue(fetch), cancellationToken);
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(parse.GetValue(json) ? Output.ToJson(new VerifySignaturesResponse { Report = report }) : Describe(file, report));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<SignatureReport> OfflineAsync(FileInfo file, FileInfo? signed, string? password, TrustAnchors anchors, bool fetchRevocation,
        CancellationToken cancellationToken)
    {
        var options = new SignatureOptions { Revocation = new RevocationOptions { Fetch = fetchRevocation } };
        if (file.Length > options.MaxBytes || signed?.Length > options.MaxBytes)
        {
            throw new CliFailure(ExitCodes.Refused, $"This file is larger than {ByteSize.Describe(options.MaxBytes)}, more than any signed document needs: ask for the signed original.");
        }
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

    private static string Describe(FileInfo file, SignatureReport report)
    {
        var lines = new List<string> { $"{file.Name}: {Verdicts(report.Verdict)}", "", report.Explanation, "" };
        foreach (var (signature, index) in report.Signatures.Select((s, i) => (s, i + 1)))
        {
            var who = signature.Signer is { } signer ? signer.Subject : "unknown signer";
            lines.Add($"Signature {index}{(signature.FieldName.Length > 0 ? $" (field \"{signature.FieldName}\")" : "")}: {Kind(signature.Kind)}, {signature.SubFilter}");
            lines.Add($"  Signer: {who}");
            if (signature.SigningTime is { } time)
            {
                lines.Add($"  Signed (as claimed): {time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}");
            }
            if (signature.Timestamp is { } stamp)
            {
                lines.Add($"  Time-stamp: {stamp.Time?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)} by {stamp.Authority?.Subject ?? "?"} ({(stamp.Verified ? "verified" : "NOT verified")})");
            }
            lines.Add($"  Integrity: {Words.Of(signature.Integrity)}; coverage: {Words.Of(signature.Coverage)} (revision {signature.Revision} of {report.Revisions}); changed after: {Words.Of(signature.ModificationLevel)}; trust: {Words.Of(signature.Trust)}");
            lines.Add($"  Algorithms: {signature.DigestAlgorithm}, {signature.SignatureAlgorithm}{(signature.DocMdp > 0 ? $"; certifies with DocMDP P={signature.DocMdp}" : "")}");
            if (signature.RevocationDetail.Length > 0)
            {
                lines.Add("  Revocation: " + signature.RevocationDetail);
            }
            lines.AddRange(signature.Changes.Select(c => "  Changed after signing: " + c));
            lines.AddRange(signature.Problems.Select(p => "  Problem: " + p));
        }
        lines.AddRange(report.Repairs.Select(r => "Repaired before checking: " + r));
        if (report.UnsignedSignatureFields.Count > 0)
        {
            lines.Add("Empty signature fields: " + string.Join(", ", report.UnsignedSignatureFields));
        }
        foreach (var mark in report.OtherMarks)
        {
            lines.Add($"Not a digital signature: {Words.Of(mark.Kind)}{(mark.FieldName.Length > 0 ? $" in field \"{mark.FieldName}\"" : "")}{(mark.Page > 0 ? $" on page {mark.Page}" : "")}{(mark.Text.Length > 0 ? $": \"{mark.Text}\"" : "")}");
        }
        return string.Join(Environment.NewLine, lines).TrimEnd();
    }

    private static string Verdicts(Verdict verdict) => verdict switch
    {
        Verdict.NotSigned => "NOT SIGNED (no digital signature)",
        Verdict.Valid => "VALID (signatures intact and trusted)",
        Verdict.ValidUntrusted => "VALID BUT UNTRUSTED (intact, signer not confirmed)",
        Verdict.Modified => "MODIFIED AFTER SIGNING",
        _ => "INVALID",
    };

    private static string Kind(SignatureKind kind) => kind switch
    {
        SignatureKind.Certification => "certification signature",
        SignatureKind.DocumentTimestamp => "document time-stamp",
        SignatureKind.Detached => "detached signature",
        _ => "approval signature",
    };
}
