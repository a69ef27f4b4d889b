using System.Buffers.Binary;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DocEngine.Tests.Portal;

/// <summary>
/// The portal page as it runs in production, in headless Chromium against a real server process in the Production
/// environment: it holds no tenant key, only an applicant token — from a ?token= link, or from the portal's back end —
/// with which uploads, previews and receipts work, another application's documents are refused, and rate-limit
/// refusals are waited out.
/// </summary>
[Collection(RunsAlone.Collection)]
public sealed class PortalTokenTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _scratch = new();
    private ServerProcess? _server;
    private Browser? _browser;
    private WebApplication? _backEnd;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        if (_backEnd is not null)
        {
            await _backEnd.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _data.Dispose();
        _scratch.Dispose();
    }

    [SkippableFact]
    public async Task With_a_token_link_the_page_uploads_previews_and_hands_out_a_receipt_and_other_applications_stay_closed()
    {
        Browser.RequireOrSkip();
        // A token allowed 2 calls a second, 3 at once: the page's dozen calls per file are refused on the way, and waited out.
        await StartServerAsync(new Dictionary<string, string> { ["DocEngine:Limits:TokenRequestsPerSecond"] = "2", ["DocEngine:Limits:TokenBurst"] = "3" });
        var tenant = _server!.Invoker(ServerProcess.TenantBKey);
        var applications = new ApplicationService.ApplicationServiceClient(tenant);
        var mine = (await applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "PR-2026-000123" })).Application.Name;
        var theirs = (await applications.CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "PR-2026-000999" })).Application.Name;
        var theirDocument = await Clients.UploadStreamingAsync(tenant, FormPdf.Create().Bytes, application: theirs, filename: "their-passport.pdf");
        var token = (await new AccessService.AccessServiceClient(tenant).CreateAccessTokenAsync(new CreateAccessTokenRequest { Application = mine })).Token;
        var form = Path.Combine(_scratch.Path, "form.pdf");
        await File.WriteAllBytesAsync(form, FormPdf.Create().Bytes);

        _browser = await Browser.LaunchAsync();
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        var refusedForRate = 0;
        page.Response += async (_, response) =>
        {
            if (await response.HeaderValueAsync("grpc-status") == "8")
            {
                Interlocked.Increment(ref refusedForRate);
            }
        };
        await page.GotoAsync($"{_server.WebUrl}/?token={token}");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Ready.");

        Assert.DoesNotContain("token=", page.Url); // out of the address bar and the history
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync(); // no tenant key anywhere on the page
        await Expect(page.Locator("#new-application")).ToBeHiddenAsync();
        await Expect(page.Locator("#application")).ToContainTextAsync("PR-2026-000123");

        await page.Locator("input[type=file]").SetInputFilesAsync(form);
        var card = page.Locator("article.file[data-file=\"form.pdf\"]");
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 90_000 });
        await Expect(card.Locator("img[data-page]")).ToHaveCountAsync(1);
        await Expect(card.Locator("[data-testid=receipt]")).ToBeVisibleAsync();
        await Expect(card.Locator("[data-testid=verdict]")).ToContainTextAsync("No digital signature");
        Assert.StartsWith(mine + "/documents/", await card.GetAttributeAsync("data-document"));
        using (var http = new HttpClient())
        {
            var metrics = await http.GetStringAsync(_server.WebUrl + "/metrics");
            var limited = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("docengine_calls_rate_limited_total", StringComparison.Ordinal) && l.Contains("caller=\"token\""));
            output.WriteLine($"The page was refused {refusedForRate} call(s) for its rate on the way, and waited each out; the server counted: {limited}");
            Assert.NotNull(limited); // the page met the token's rate limit, so its back-off was exercised
        }

        // From the page, with the page's credentials, another application's document is NOT_FOUND.
        var status = await page.EvaluateAsync<string>("""
            async ([token, body]) => {
              // The page has just used up the token's rate (above): a RESOURCE_EXHAUSTED here is waited out, as the page does.
              for (let attempt = 0; ; attempt++) {
                const response = await fetch("/docengine.v1.DocumentService/GetDocument", {
                  method: "POST",
                  headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", authorization: "Bearer " + token },
                  body: new Uint8Array(body),
                });
                const status = response.headers.get("grpc-status") ?? "in body";
                if (status !== "8" || attempt >= 10) return status;
                await new Promise(resolve => setTimeout(resolve, 1000));
              }
            }
            """, new object[] { token, GrpcWebFrame(new GetDocumentRequest { Name = theirDocument.Name }).Select(b => (int)b).ToArray() });
        Assert.Equal(((int)StatusCode.NotFound).ToString(), status);
    }

    [SkippableFact]
    public async Task Without_a_link_the_page_gets_its_token_from_the_portals_back_end()
    {
        Browser.RequireOrSkip();
        var backEndUrl = $"http://127.0.0.1:{DocEngineFactory.FreePort()}";
        await StartServerAsync(new Dictionary<string, string> { ["DocEngine:Portal:TokenUrl"] = backEndUrl + "/docengine-token" });
        var tenant = _server!.Invoker(ServerProcess.TenantBKey);
        var application = (await new ApplicationService.ApplicationServiceClient(tenant)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "PR-2026-000777" })).Application.Name;
        _backEnd = await StartBackEndAsync(backEndUrl, _server.WebUrl, _server.Url, application);
        using (var http = new HttpClient())
        {
            var answer = await http.GetAsync(backEndUrl + "/docengine-token");
            Assert.True(answer.IsSuccessStatusCode, $"the back end answered {answer.StatusCode}");
            Assert.Contains("\"token\":\"ey", await answer.Content.ReadAsStringAsync());
        }
        var form = Path.Combine(_scratch.Path, "letter.pdf");
        await File.WriteAllBytesAsync(form, FormPdf.Create().Bytes);

        _browser = await Browser.LaunchAsync();
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(_server.WebUrl + "/");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Ready.");
        await Expect(page.Locator("#application")).ToContainTextAsync("PR-2026-000777");
        await page.Locator("input[type=file]").SetInputFilesAsync(form);
        var card = page.Locator("article.file[data-file=\"letter.pdf\"]");
        await Expect(card).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        Assert.StartsWith(application + "/documents/", await card.GetAttributeAsync("data-document"));
    }

    [SkippableFact]
    public async Task Without_a_token_outside_development_the_page_says_how_to_get_one_and_takes_no_files()
    {
        Browser.RequireOrSkip();
        await StartServerAsync(new Dictionary<string, string>());
        _browser = await Browser.LaunchAsync();
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(_server!.WebUrl + "/");
        await Expect(page.Locator("#status")).ToHaveTextAsync(
            "This page needs an access token from your portal: open it again from the link your portal gave you.");
        await Expect(page.Locator("input[type=file]")).ToBeDisabledAsync();
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
    }

    private async Task StartServerAsync(Dictionary<string, string> settings)
    {
        settings["DocEngine:Portal:Enabled"] = "true";
        settings["DocEngine:Portal:ChunkBytes"] = (64 << 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server = await ServerProcess.StartAsync(_data.Path, settings: settings, environmentName: "Production");
    }

    /// <summary>
    /// The portal's own back end, as the README shows it: it knows which application the signed-in applicant is working
    /// on (here: always <paramref name="application"/>) and mints a token for it with the tenant's key, which never
    /// leaves it. CORS lets the page (another origin) call it with the person's cookies.
    /// </summary>
    private static async Task<WebApplication> StartBackEndAsync(string url, string pageOrigin, string docEngineUrl, string application)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        // The test's folder holds DocEngine's appsettings.json (HTTP/2 only); a portal back end speaks HTTP/1.1 to browsers.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(p => p.WithOrigins(pageOrigin).AllowCredentials()));
        var app = builder.Build();
        app.UseCors();
        var docengine = new AccessService.AccessServiceClient(GrpcChannel.ForAddress(docEngineUrl));
        app.MapGet("/docengine-token", async (HttpContext http) =>
        {
            var reply = await docengine.CreateAccessTokenAsync(new CreateAccessTokenRequest
            {
                Application = application, // in a real portal: the application of the applicant signed in to this session
                Permissions = { AccessPermission.Upload, AccessPermission.Read },
                Ttl = Duration.FromTimeSpan(TimeSpan.FromMinutes(30)),
            }, new Metadata { { "authorization", "Bearer " + ServerProcess.TenantBKey } }, cancellationToken: http.RequestAborted);
            return Results.Json(new { token = reply.Token });
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>A gRPC-Web request body: one uncompressed frame (flag 0, big-endian length) holding the message.</summary>
    private static byte[] GrpcWebFrame(IMessage message)
    {
        var bytes = message.ToByteArray();
        var frame = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)bytes.Length);
        bytes.CopyTo(frame, 5);
        return frame;
    }
}
