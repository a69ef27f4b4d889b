using System.Text.Json;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Cli;

/// <summary>The <c>docengine</c> executable against a real server process: results, JSON shape, exit codes, resume after kill.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _work = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Upload_prints_the_document_under_a_document_key_and_download_checks_it_back()
    {
        var file = WriteFile("passport scan.pdf", 3_000_000, seed: 61);

        var upload = await Cli("upload", file, "--server", _server.Url, "--json");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        var document = JsonDocument.Parse(upload.Stdout).RootElement.GetProperty("document");
        Assert.Equal(TestData.Sha256OfFile(file), document.GetProperty("sha256").GetString());
        Assert.Equal("3000000", document.GetProperty("sizeBytes").GetString());
        Assert.Equal("passport scan.pdf", document.GetProperty("filename").GetString());

        var copy = Path.Combine(_work.Path, "copy.pdf");
        var download = await Cli("download", document.GetProperty("name").GetString()!, "--out", copy, "--server", _server.Url, "--json");
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(TestData.Sha256OfFile(file), TestData.Sha256OfFile(copy));
        Assert.Equal(document.GetProperty("name").GetString(), JsonDocument.Parse(download.Stdout).RootElement.GetProperty("document").GetProperty("name").GetString());
        Assert.False(File.Exists(copy + ".partial"));
    }

    [Fact]
    public async Task Several_files_go_into_one_application_and_an_application_id_is_created_when_missing()
    {
        var files = new[] { WriteFile("a.pdf", 1000, 62), WriteFile("b.jpg", 2000, 63) };

        var together = await Cli(["upload", .. files, "--server", _server.Url, "--json"]);
        Assert.True(together.ExitCode == 0, together.ToString());
        var applications = together.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("document").GetProperty("application").GetString()).ToList();
        Assert.Equal(2, applications.Count);
        Assert.Single(applications.Distinct());

        var named = await Cli("upload", files[0], "--application", "PR-777", "--server", _server.Url, "--json");
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.Equal("applications/PR-777", JsonDocument.Parse(named.Stdout).RootElement.GetProperty("document").GetProperty("application").GetString());
    }

    [Fact]
    public async Task Running_the_same_upload_again_after_the_cli_was_killed_resumes_from_the_server_offset()
    {
        var file = WriteFile("bank-statement.tif", 256 << 20, seed: 64);
        var cache = Path.Combine(_work.Path, "cache");
        var uploads = new UploadService.UploadServiceClient(_server.Invoker());

        string uploadName;
        using (var first = CliProcess.Start(cache, "upload", file, "--server", _server.Url, "--chunk-size", "256KiB"))
        {
            uploadName = await WaitForAsync(() => Directory.Exists(cache) ? Directory.GetFiles(cache, "*.upload").Select(File.ReadAllText).FirstOrDefault() : null);
            await WaitForAsync(async () =>
                (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadName })).Session.CommittedOffset >= 16 << 20 ? "" : null);
            first.Kill();
        }
        var interruptedAt = (await uploads.GetUploadStatusAsync(new GetUploadStatusRequest { Name = uploadName })).Session.CommittedOffset;
        Assert.InRange(interruptedAt, 16 << 20, (256 << 20) - 1);

        var second = await CliProcess.RunAsync(cache, "upload", file, "--server", _server.Url, "--json");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Resuming bank-statement.tif from byte", second.Stderr);
        var document = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("document");
        Assert.Equal(uploadName, document.GetProperty("upload").GetString());
        Assert.Equal(TestData.Sha256OfFile(file), document.GetProperty("sha256").GetString());
        Assert.Empty(Directory.GetFiles(cache, "*.upload")); // nothing left to resume
    }

    [Fact]
    public async Task Exit_codes_follow_the_cli_contract()
    {
        var file = WriteFile("x.pdf", 10, 65);

        Assert.Equal(2, (await Cli()).ExitCode);
        Assert.Equal(2, (await Cli("upload", Path.Combine(_work.Path, "missing.pdf"), "--server", _server.Url)).ExitCode);
        Assert.Equal(2, (await Cli("upload", file, "--chunk-size", "lots", "--server", _server.Url)).ExitCode);

        var refused = await Cli("download", "applications/none/documents/none", "--out", Path.Combine(_work.Path, "o"), "--server", _server.Url);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("There is no document", refused.Stderr);

        var unreachable = await Cli("upload", file, "--server", $"http://127.0.0.1:{DocEngineFactory.FreePort()}");
        Assert.Equal(4, unreachable.ExitCode);
        Assert.Contains("Cannot reach the DocEngine server", unreachable.Stderr);

        var badKey = await Cli("upload", file, "--server", _server.Url, "--api-key", "wrong");
        Assert.Equal(4, badKey.ExitCode);
        Assert.Contains("API key is not valid", badKey.Stderr);
    }

    [Fact]
    public async Task Inspect_and_process_work_offline_and_through_the_server_with_the_same_json()
    {
        var photo = Path.Combine(_work.Path, "id card.jpg");
        await File.WriteAllBytesAsync(photo, Processing.ProcessingServiceTests.Photo(1200, 900));

        var offline = await Cli("inspect", photo, "--json");
        var online = await Cli("inspect", photo, "--json", "--server", _server.Url);
        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.Equal(offline.Stdout, online.Stdout);
        Assert.Equal(1200, JsonDocument.Parse(offline.Stdout).RootElement.GetProperty("info").GetProperty("image").GetProperty("width").GetInt32());

        var local = Path.Combine(_work.Path, "local.pdf");
        var remote = Path.Combine(_work.Path, "remote.pdf");
        var processedOffline = await Cli("process", photo, "--format", "pdf", "--max-edge", "600", "--out", local, "--json");
        var processedOnline = await Cli("process", photo, "--format", "pdf", "--max-edge", "600", "--out", remote, "--json", "--server", _server.Url);
        Assert.True(processedOffline.ExitCode == 0, processedOffline.ToString());
        Assert.True(processedOnline.ExitCode == 0, processedOnline.ToString());
        var rendition = JsonDocument.Parse(processedOnline.Stdout).RootElement.GetProperty("rendition");
        Assert.Equal(rendition.GetProperty("sha256").GetString(), TestData.Sha256OfFile(remote));
        Assert.Equal("application/pdf", rendition.GetProperty("mediaType").GetString());
        Assert.StartsWith("%PDF-", await File.ReadAllTextAsync(local), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_and_process_refuse_broken_and_wrong_files_with_exit_3_and_a_sentence()
    {
        var truncated = Path.Combine(_work.Path, "cut.jpg");
        await File.WriteAllBytesAsync(truncated, Processing.ProcessingServiceTests.Photo(400, 300)[..500]);
        var word = Path.Combine(_work.Path, "letter.pdf");
        await File.WriteAllBytesAsync(word, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[512]]);

        var damaged = await Cli("inspect", truncated);
        var office = await Cli("process", word, "--out", Path.Combine(_work.Path, "x.pdf"));

        Assert.Equal(3, damaged.ExitCode);
        Assert.StartsWith("This JPEG image ", damaged.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, office.ExitCode);
        // A Word file named .pdf is converted like any Word file (issue 19); this one is only an OLE header, so it is damaged.
        Assert.Contains("Word 97-2003 document", office.Stderr, StringComparison.Ordinal);
        Assert.Contains("damaged or incomplete", office.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", damaged.Stderr + office.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Preview_writes_numbered_pages_and_a_contact_sheet_offline_and_through_the_server()
    {
        Renderer.Create();
        var pdf = Path.Combine(_work.Path, "form.pdf");
        await File.WriteAllBytesAsync(pdf, Previews.PreviewRenderingTests.SimplePdf(rotate: 90));
        var local = Path.Combine(_work.Path, "local");
        var remote = Path.Combine(_work.Path, "remote");

        var offline = await Cli("preview", pdf, "--width", "300", "--contact-sheet", "--out", local, "--json");
        var online = await Cli("preview", pdf, "--width", "300", "--contact-sheet", "--out", remote, "--server", _server.Url);
        var upload = await Cli("upload", pdf, "--server", _server.Url, "--json");
        var name = JsonDocument.Parse(upload.Stdout).RootElement.GetProperty("document").GetProperty("name").GetString()!;
        var stored = Path.Combine(_work.Path, "stored");
        var byName = await Cli("preview", name, "--width", "300", "--contact-sheet", "--out", stored, "--server", _server.Url);
        var missing = await Cli("preview", name + "x", "--out", stored, "--server", _server.Url);

        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.True(byName.ExitCode == 0, byName.ToString());
        foreach (var directory in new[] { local, remote, stored })
        {
            Assert.True(File.Exists(Path.Combine(directory, "page-0001.png")));
            Assert.True(File.Exists(Path.Combine(directory, "contact-sheet.png")));
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(local, "page-0001.png")), await File.ReadAllBytesAsync(Path.Combine(directory, "page-0001.png")));
        }
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("There is no document", missing.Stderr, StringComparison.Ordinal);
        var manifest = JsonDocument.Parse(offline.Stdout).RootElement;
        Assert.Equal(Path.Combine(local, "page-0001.png"), manifest.GetProperty("pages")[0].GetProperty("file").GetString());
        Assert.True(manifest.GetProperty("pages")[0].GetProperty("width").GetInt32() > manifest.GetProperty("pages")[0].GetProperty("height").GetInt32());
    }

    [SkippableFact]
    public async Task Process_fits_a_pdf_to_a_budget_writing_numbered_parts_offline_and_through_the_server()
    {
        Renderer.Create();
        var scan = CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf");
        var local = Path.Combine(_work.Path, "local.pdf");
        var remote = Path.Combine(_work.Path, "remote.pdf");

        var offline = await Cli("process", scan, "--max-bytes", "100KB", "--out", local, "--json");
        var online = await Cli("process", scan, "--max-bytes", "100KB", "--out", remote, "--server", _server.Url);
        var fits = await Cli("process", scan, "--max-bytes", "4MB", "--out", Path.Combine(_work.Path, "whole.pdf"));
        var nonsense = await Cli("process", scan, "--max-bytes", "four megabytes", "--out", local);

        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.True(online.ExitCode == 0, online.ToString());
        var parts = JsonDocument.Parse(offline.Stdout).RootElement.GetProperty("parts");
        Assert.Equal(3, parts.GetArrayLength());
        for (var part = 1; part <= 3; part++)
        {
            foreach (var stem in new[] { "local", "remote" })
            {
                var file = new FileInfo(Path.Combine(_work.Path, $"{stem}-part-{part}-of-3.pdf"));
                Assert.True(file.Exists && file.Length <= 100_000, file.FullName);
            }
        }
        Assert.Contains("part 1 of 3, pages 1-1", online.Stdout, StringComparison.Ordinal);
        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.Contains("It already fits under 4 MB", fits.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, nonsense.ExitCode);
        Assert.Contains("--max-bytes takes a size such as 4MB", nonsense.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_explains_a_signed_form_and_a_typed_name_form_offline_and_through_the_server_with_the_same_json()
    {
        var signed = Path.Combine(_work.Path, "signed form.pdf");
        var typed = Path.Combine(_work.Path, "typed name.pdf");
        var root = Path.Combine(_work.Path, "authority.pem");
        await File.WriteAllBytesAsync(signed, Infrastructure.SignedPdfs.PdfSigner.Sign(Infrastructure.SignedPdfs.FormPdf.Create().Bytes).Bytes);
        await File.WriteAllBytesAsync(typed, Infrastructure.SignedPdfs.FormPdf.Create(new() { FullNameSignatureValue = "Jane Doe" }).Bytes);
        await File.WriteAllTextAsync(root, Infrastructure.SignedPdfs.TestPki.Shared.RootPem);

        var text = await Cli("verify", signed, "--trust", root);
        var offline = await Cli("verify", signed, "--trust", root, "--json");
        var online = await Cli("verify", signed, "--trust", root, "--json", "--server", _server.Url);
        var typedName = await Cli("verify", typed);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.StartsWith("signed form.pdf: VALID (signatures intact and trusted)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Signer: CN=Test Signer RSA", text.Stdout, StringComparison.Ordinal);
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.Equal(offline.Stdout, online.Stdout);
        Assert.Equal("VERDICT_VALID", JsonDocument.Parse(offline.Stdout).RootElement.GetProperty("report").GetProperty("verdict").GetString());
        Assert.Equal(0, typedName.ExitCode);
        Assert.StartsWith("typed name.pdf: NOT SIGNED", typedName.Stdout, StringComparison.Ordinal);
        Assert.Contains("Not a digital signature: typed name in field \"FullNameSignature\" on page 1: \"Jane Doe\"", typedName.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_refuses_a_file_that_is_not_a_pdf_with_exit_3_and_a_missing_trust_file_with_exit_2()
    {
        var notes = Path.Combine(_work.Path, "notes.pdf");
        await File.WriteAllTextAsync(notes, "plain words, renamed .pdf");

        var refused = await Cli("verify", notes);
        var usage = await Cli("verify", notes, "--trust", Path.Combine(_work.Path, "missing.pem"));

        Assert.Equal(3, refused.ExitCode);
        Assert.StartsWith("This file is not a PDF", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("does not exist", usage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_writes_signed_receipts_that_receipt_verify_checks_and_a_changed_byte_fails_with_exit_3()
    {
        var first = WriteFile("statement.bin", 30_000, 7);
        var second = WriteFile("letter.bin", 20_000, 8);
        var receipts = Path.Combine(_work.Path, "receipts.jws");
        var key = Path.Combine(_work.Path, "issuer.pem");

        var upload = await Cli("upload", first, second, "--receipt-out", receipts, "--server", _server.Url);
        var keys = new DocEngine.Contract.V1.ReceiptService.ReceiptServiceClient(_server.Invoker()).GetReceiptKeys(new GetReceiptKeysRequest());
        await File.WriteAllTextAsync(key, keys.Keys[0].PublicKeyPem);
        var byServer = await Cli("receipt", "verify", receipts, "--server", _server.Url);
        var byKey = await Cli("receipt", "verify", receipts, "--key", key, "--document", second);
        var lines = await File.ReadAllLinesAsync(receipts);
        var alone = Path.Combine(_work.Path, "second.jws");
        await File.WriteAllTextAsync(alone, lines[1]);
        var wrongFile = await Cli("receipt", "verify", alone, "--key", key, "--document", first);
        var tampered = Path.Combine(_work.Path, "tampered.jws");
        var parts = lines[0].Split('.');
        await File.WriteAllTextAsync(tampered, parts[0] + "." + parts[1][..^2] + (parts[1][^2] == 'A' ? "B" : "A") + parts[1][^1] + "." + parts[2]);
        var forged = await Cli("receipt", "verify", tampered, "--key", key);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(2, lines.Length);
        Assert.True(byServer.ExitCode == 0, byServer.ToString());
        Assert.Contains("Valid: receipt 1 of applications/", byServer.Stdout, StringComparison.Ordinal);
        Assert.Contains("Valid: receipt 2 of applications/", byServer.Stdout, StringComparison.Ordinal);
        Assert.True(byKey.ExitCode == 0, byKey.ToString());
        Assert.Contains("The file letter.bin is exactly the one received.", byKey.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, wrongFile.ExitCode);
        Assert.StartsWith("The file does not match the receipt", wrongFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, forged.ExitCode);
        Assert.Contains("receipt", forged.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", wrongFile.Stderr + forged.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipt_verify_says_a_Word_upload_is_converted_and_that_the_receipt_is_for_the_file_as_received()
    {
        var letter = Path.Combine(_work.Path, "letter.docx");
        await File.WriteAllBytesAsync(letter, TinyDocx.Build("Letter of explanation"));
        var receipts = Path.Combine(_work.Path, "letter.jws");

        var upload = await Cli("upload", letter, "--receipt-out", receipts, "--server", _server.Url);
        var verify = await Cli("receipt", "verify", receipts, "--server", _server.Url, "--document", letter);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("\"letter.docx\"", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("  DocEngine converts this file (a Word document (.docx)) to PDF for its previews and renditions; this receipt is for the file exactly as received.",
            verify.Stdout, StringComparison.Ordinal);
    }

    private Task<CliResult> Cli(params string[] arguments) => CliProcess.RunAsync(Path.Combine(_work.Path, "cache"), arguments);

    private string WriteFile(string name, long size, int seed)
    {
        var path = Path.Combine(_work.Path, name);
        TestData.WriteFile(path, size, seed);
        return path;
    }

    private static Task<string> WaitForAsync(Func<string?> probe) => WaitForAsync(() => Task.FromResult(probe()));

    private static async Task<string> WaitForAsync(Func<Task<string?>> probe)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("The condition was not met within 12 seconds.");
    }
}
