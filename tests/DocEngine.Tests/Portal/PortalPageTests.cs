using System.Buffers.Binary;
using System.Diagnostics;
using DocEngine.Contract.V1;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DocEngine.Tests.Portal;

/// <summary>
/// The portal page end to end in headless Chromium against a real server process: the page's own gRPC-Web client
/// uploads, streams previews, shows the verdict and hands out the receipt, and a dropped connection resumes. They run
/// alone: Chromium and a server process per test are heavy, and they would slow the parallel tests' timing.
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class PortalPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ChunkBytes = 64 << 10;
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _scratch = new();
    private ServerProcess? _server;
    private Browser? _browser;

    private ServerProcess Server => _server!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _data.Dispose();
        _scratch.Dispose();
    }

    /// <summary>
    /// Starts this test's server (small chunks, so a test file is many calls and can be cut off in the middle, plus
    /// <paramref name="settings"/>) and Chromium, and opens the page in a fresh profile once it is ready.
    /// </summary>
    private async Task<IPage> OpenPageAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["DocEngine:Portal:ChunkBytes"] = ChunkBytes.ToString() };
        _server = await ServerProcess.StartAsync(_data.Path, settings: all);
        _browser = await Browser.LaunchAsync();
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(_server.WebUrl);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Ready.");
        return page;
    }

    [SkippableFact]
    public async Task A_scanned_and_a_signed_pdf_show_their_pages_verdicts_and_a_receipt_that_verifies()
    {
        Browser.RequireOrSkip();
        var scan = CorpusManifest.File("scans", "paperless-ngx__many-qr-codes.pdf"); // 3 pages, 600 dpi colour scan
        var signed = CorpusManifest.File("corpus", "pdf-signed/dss__pades-bes.pdf"); // 1 page, 1 intact PAdES signature
        var clock = Stopwatch.StartNew();
        var page = await OpenPageAsync();

        await page.Locator("input[type=file]").SetInputFilesAsync([scan, signed]);

        var scanCard = Card(page, scan);
        var signedCard = Card(page, signed);
        await Expect(scanCard).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 180_000 });
        await Expect(signedCard).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        output.WriteLine($"Both files uploaded and shown in {clock.Elapsed.TotalSeconds:F1} s");

        var scanPages = await LoadedPagesAsync(scanCard);
        var signedPages = await LoadedPagesAsync(signedCard);
        Assert.Equal([1, 2, 3], scanPages);
        Assert.Equal([1], signedPages);
        await Expect(scanCard.Locator("[data-testid=progress]")).ToContainTextAsync("Received: 2.65 MB");
        await Expect(scanCard.Locator("[data-testid=pages]")).ToHaveTextAsync("3");
        await Expect(scanCard.Locator("[data-testid=verdict]")).ToHaveTextAsync("No digital signature: this document is not digitally signed.");
        // No trust anchors are configured, so an intact signature is "intact, signer not on the trusted list".
        await Expect(signedCard.Locator("[data-testid=verdict]")).ToContainTextAsync("✓ Intact: 1 digital signature, unchanged since signing");
        await Expect(signedCard.Locator(".explanation")).Not.ToBeEmptyAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => signedCard.Locator("[data-testid=receipt]").ClickAsync());
        var receipt = Path.Combine(_scratch.Path, download.SuggestedFilename);
        await download.SaveAsAsync(receipt);
        Assert.Equal("dss__pades-bes.pdf.receipt.jws", download.SuggestedFilename);
        var check = await CliProcess.RunAsync(_scratch.Path, "receipt", "verify", receipt, "--server", Server.Url, "--document", signed);
        Assert.True(check.ExitCode == 0, check.ToString());

        if (Environment.GetEnvironmentVariable("DOCENGINE_PORTAL_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        }
        output.WriteLine($"Browser test took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [SkippableFact]
    public async Task An_upload_cut_off_mid_file_continues_from_the_durable_offset_after_a_reload()
    {
        Browser.RequireOrSkip();
        var file = Path.Combine(_scratch.Path, "bank-statement.bin");
        TestData.WriteFile(file, 20 * ChunkBytes + 1234, seed: 9);
        var page = await OpenPageAsync();

        // The network drops after five chunks: every later AppendUploadChunk is reset, retries included.
        var passed = 0;
        await page.RouteAsync("**/docengine.v1.UploadService/AppendUploadChunk", async route =>
        {
            if (Interlocked.Increment(ref passed) > 5)
            {
                await route.AbortAsync("connectionreset");
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        var card = Card(page, file);
        await Expect(card).ToHaveAttributeAsync("data-state", "interrupted", new() { Timeout = 30_000 });
        await Expect(card.Locator("[data-testid=progress]")).ToContainTextAsync("Choose the same file again");

        // Reload, the connection back, and choose the same file: it must continue at 5 chunks, not at 0.
        await page.UnrouteAllAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("Ready.");
        var offsets = new List<long>();
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/AppendUploadChunk", StringComparison.Ordinal) && request.PostDataBuffer is { } body)
            {
                lock (offsets)
                {
                    offsets.Add(GrpcWebRequest<AppendUploadChunkRequest>(body, AppendUploadChunkRequest.Parser).Offset);
                }
            }
        };
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        card = Card(page, file);
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });

        Assert.Equal((5 * ChunkBytes).ToString(), await card.GetAttributeAsync("data-resumed-from"));
        await Expect(card.Locator("[data-testid=progress]")).ToContainTextAsync("Received: 1.31 MB");
        lock (offsets)
        {
            Assert.Equal(Enumerable.Range(5, 16).Select(i => (long)i * ChunkBytes), offsets);
        }
        var documents = new DocumentService.DocumentServiceClient(Server.Invoker());
        var stored = (await documents.GetDocumentAsync(new GetDocumentRequest { Name = await card.GetAttributeAsync("data-document") })).Document;
        Assert.Equal((TestData.Sha256OfFile(file), new FileInfo(file).Length), (stored.Sha256, stored.SizeBytes));
    }

    [SkippableFact]
    public async Task The_page_passes_the_axe_WCAG_AA_checks_and_works_from_the_keyboard()
    {
        Browser.RequireOrSkip();
        var form = Path.Combine(_scratch.Path, "typed-name-form.pdf");
        await File.WriteAllBytesAsync(form, FormPdf.Create().Bytes);
        var page = await OpenPageAsync();

        // The first Tab reaches the file input (the key form is hidden: Development hands the page its key).
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("input[type=file]")).ToBeFocusedAsync();
        await page.Locator("input[type=file]").SetInputFilesAsync(form);
        var card = Card(page, form);
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });

        // Then Tab goes on through "Start a new application" to the card's receipt link.
        var receipt = card.Locator("[data-testid=receipt]");
        for (var presses = 0; presses < 10 && !await receipt.EvaluateAsync<bool>("e => e === document.activeElement"); presses++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await Expect(receipt).ToBeFocusedAsync();

        var axe = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.True(axe.Violations.Length == 0,
            string.Join("\n", axe.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
        Assert.NotEmpty(axe.Passes);
    }

    [SkippableFact]
    public async Task Without_a_key_in_its_settings_the_page_asks_for_one_and_a_wrong_key_gets_a_sentence()
    {
        Browser.RequireOrSkip();
        var form = Path.Combine(_scratch.Path, "form.pdf");
        await File.WriteAllBytesAsync(form, FormPdf.Create().Bytes);
        var page = await OpenPageAsync(new Dictionary<string, string> { ["DocEngine:Portal:ApiKey"] = "" });

        var key = page.GetByLabel("Portal API key");
        await Expect(key).ToBeVisibleAsync();
        // The limit is the server's (2 GiB by default), and the tab has an icon rather than a 404 in every log.
        await Expect(page.Locator("#files-help")).ToContainTextAsync("up to 2.15 GB each");
        var icon = await page.APIRequest.GetAsync(Server.WebUrl + "/" + await page.Locator("link[rel=icon]").GetAttributeAsync("href"));
        Assert.Equal((200, "image/svg+xml"), (icon.Status, icon.Headers["content-type"]));
        await key.FillAsync("not-a-key");
        await key.PressAsync("Enter");
        await page.Locator("input[type=file]").SetInputFilesAsync(form);
        await Expect(page.Locator("#status")).ToHaveTextAsync("This API key is not valid here: check it for typos, or ask the operators for a current key.");

        await key.FillAsync("docengine-development-key");
        await key.PressAsync("Enter");
        await page.Locator("input[type=file]").SetInputFilesAsync(form);
        await Expect(Card(page, form)).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        Assert.Equal(Server.WebUrl + "/", page.Url); // Enter in the key field did not navigate away
    }

    [SkippableFact]
    public async Task A_Word_upload_shows_Converted_from_Word_on_its_card_and_previews_the_converted_pages()
    {
        Browser.RequireOrSkip();
        using (var probe = new DocEngine.Core.Conversion.OfficeConverter(new DocEngine.Core.Conversion.ConversionOptions { Listeners = 1 }))
        {
            Requires.That(probe.IsAvailable, $"LIBREOFFICE NOT AVAILABLE ({probe.Unavailability}): the portal's Word card test is SKIPPED");
        }
        var letter = Path.Combine(_scratch.Path, "letter.docx");
        await File.WriteAllBytesAsync(letter, TinyDocx.Build("Letter of explanation", "I lived in Lyon from 2019 to 2023."));
        var page = await OpenPageAsync(new Dictionary<string, string> { ["DocEngine:Conversion:Listeners"] = "1" });

        await page.Locator("input[type=file]").SetInputFilesAsync(letter);

        var card = Card(page, letter);
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 180_000 });
        await Expect(card.Locator("[data-testid=converted]")).ToHaveTextAsync("Converted from Word");
        await Expect(card.Locator("[data-testid=searchable]")).ToHaveCountAsync(0); // a Word file has its text already
        var pages = await LoadedPagesAsync(card);
        Assert.Equal([1], pages); // the page of the PDF it was converted to
    }

    [SkippableFact]
    public async Task A_scan_without_text_shows_Searchable_text_added_on_its_card()
    {
        Browser.RequireOrSkip();
        Requires.That(File.Exists("/usr/bin/tesseract"), "TESSERACT NOT AVAILABLE: the portal's searchable-scan card test is SKIPPED");
        var scan = CorpusManifest.File("scans", "ocrmypdf__2400dpi.pdf"); // 1 page, an image and no text
        var page = await OpenPageAsync();

        await page.Locator("input[type=file]").SetInputFilesAsync(scan);

        var card = Card(page, scan);
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 180_000 });
        await Expect(card.Locator("[data-testid=searchable]")).ToHaveTextAsync("Searchable text added");
        await Expect(card.Locator("[data-testid=converted]")).ToHaveCountAsync(0);
    }

    private static ILocator Card(IPage page, string path) => page.Locator($"article.file[data-file=\"{Path.GetFileName(path)}\"]");

    /// <summary>The page numbers of the card's previews, once every image has decoded with a real width.</summary>
    private static async Task<int[]> LoadedPagesAsync(ILocator card)
    {
        var images = card.Locator("img[data-page]");
        await Expect(images.First).ToBeVisibleAsync();
        var pages = new List<int>();
        foreach (var image in await images.AllAsync())
        {
            await Expect(image).ToHaveJSPropertyAsync("complete", true);
            Assert.True(await image.EvaluateAsync<int>("i => i.naturalWidth") > 0);
            pages.Add(int.Parse((await image.GetAttributeAsync("data-page"))!));
        }
        return [.. pages];
    }

    /// <summary>The message inside a gRPC-Web request body: a 5-byte frame header (flag, big-endian length), then the message.</summary>
    private static T GrpcWebRequest<T>(byte[] body, Google.Protobuf.MessageParser<T> parser) where T : Google.Protobuf.IMessage<T> =>
        parser.ParseFrom(body, 5, (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4)));
}
