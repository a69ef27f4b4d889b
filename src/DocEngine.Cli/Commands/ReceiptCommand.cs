using System.CommandLine;
using System.Security.Cryptography;
using DocEngine.Cli.Common;
using DocEngine.Contract.V1;
using DocEngine.Core.Receipts;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine receipt verify RECEIPT [--key PEM | --server URL] [--document FILE] [--previous RECEIPT]</c>: checks
/// receipts as a third party would — signature, hash chain, and that a file is the one received. Exit 0 when valid,
/// 3 with one sentence per problem when not.
/// </summary>
internal static class ReceiptCommand
{
    public static Command Create()
    {
        var receipt = new Argument<FileInfo>("RECEIPT") { Description = "A receipt file: one JWS per line, as `upload --receipt-out` writes (several lines are checked as a chain)" };
        var key = new Option<FileInfo?>("--key") { Description = "The issuer's public key(s), PEM (from GetReceiptKeys)" };
        var server = new Option<string?>("--server") { Description = "Fetch the issuer's public keys from this DocEngine server instead of --key" };
        var document = new Option<FileInfo?>("--document") { Description = "A local file that must be the one the receipt names (same SHA-256 and size)" };
        var previous = new Option<FileInfo?>("--previous") { Description = "The receipt before this one, to check the chain link between them" };
        var verify = new Command("verify", "Check a receipt's signature, its chain link and, optionally, that a file matches it.")
        {
            receipt, key, server, document, previous,
        };
        var credentials = CredentialOptions.AddTo(verify, " for --server");
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var file = Existing(parse.GetValue(receipt)!);
            var keys = parse.GetValue(key) is { } pem
                ? ReadPem(await File.ReadAllTextAsync(Existing(pem).FullName, cancellationToken))
                : parse.GetValue(server) is { } url
                    ? await FetchAsync(url, credentials.Resolve(parse), cancellationToken)
                    : throw new CliFailure(ExitCodes.Usage, "Give the issuer's public key with --key PEM, or --server URL to fetch it.");
            var chain = (await File.ReadAllLinesAsync(file.FullName, cancellationToken)).Where(l => l.Trim().Length > 0).ToList();
            var before = parse.GetValue(previous) is { } p ? (await File.ReadAllLinesAsync(Existing(p).FullName, cancellationToken)).LastOrDefault(l => l.Trim().Length > 0) : null;
            await using var local = parse.GetValue(document) is { } d ? Existing(d).OpenRead() : null;
            var result = ReceiptCheck.Verify(chain, id => keys.GetValueOrDefault(id), before, local);
            if (!result.Valid)
            {
                throw new CliFailure(ExitCodes.Refused, string.Join(Environment.NewLine, result.Problems));
            }
            var stdout = parse.InvocationConfiguration.Output;
            foreach (var payload in result.Receipts)
            {
                await stdout.WriteLineAsync($"Valid: receipt {payload.Sequence} of {payload.Application}: \"{payload.Filename}\" ({ByteSize.Describe(payload.SizeBytes)}, " +
                    $"{payload.Pages} page(s), SHA-256 {payload.Sha256}) received {payload.ReceivedAt:yyyy-MM-dd HH:mm:ss} UTC" +
                    (payload.Processing.SignatureVerdict is { } verdict ? $"; signatures: {Words.OfVerdict(verdict)}" : "") + ".");
                if (payload.Processing.Conversion is { } conversion)
                {
                    await stdout.WriteLineAsync($"  {conversion}");
                }
                foreach (var rendition in payload.Processing.Renditions.Where(r => r.Done is { Count: > 0 }))
                {
                    await stdout.WriteLineAsync($"  {rendition.Name}: {string.Join(" ", rendition.Done!)}");
                }
            }
            if (local is not null)
            {
                await stdout.WriteLineAsync($"The file {parse.GetValue(document)!.Name} is exactly the one received.");
            }
            return ExitCodes.Ok;
        });
        return new Command("receipt", "Work with signed receipts.") { verify };
    }

    private static FileInfo Existing(FileInfo file) => file.Exists ? file : throw new CliFailure(ExitCodes.Usage, $"No such file: {file.FullName}.");

    private static Dictionary<string, ECDsa> ReadPem(string text)
    {
        var keys = new Dictionary<string, ECDsa>();
        foreach (var block in text.Split("-----END PUBLIC KEY-----").Where(b => b.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(block + "-----END PUBLIC KEY-----");
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new CliFailure(ExitCodes.Usage, "--key must hold the issuer's EC public key as PEM (\"-----BEGIN PUBLIC KEY-----\"), as GetReceiptKeys gives it.");
            }
            var parameters = key.ExportParameters(false);
            keys[Core.Receipts.ReceiptKey.Thumbprint(parameters.Q.X!, parameters.Q.Y!)] = key;
        }
        return keys.Count > 0 ? keys : throw new CliFailure(ExitCodes.Usage, "--key holds no PEM public key (\"-----BEGIN PUBLIC KEY-----\").");
    }

    private static async Task<Dictionary<string, ECDsa>> FetchAsync(string url, Credential credential, CancellationToken cancellationToken)
    {
        using var connection = ServerConnection.Open(url, credential);
        try
        {
            var response = await new Contract.V1.ReceiptService.ReceiptServiceClient(connection.Invoker).GetReceiptKeysAsync(new GetReceiptKeysRequest(), cancellationToken: cancellationToken);
            return ReadPem(string.Concat(response.Keys.Select(k => k.PublicKeyPem + "\n")));
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw connection.Explain(e);
        }
    }
}
