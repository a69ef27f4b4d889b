using Microsoft.Playwright;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (browser downloads don't work here, so Playwright gets the executable path).
/// The test build installs the chromium package when it may; without it the browser tests say so loudly and skip.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    public static bool Available => File.Exists(ChromiumPath);

    public static void RequireOrSkip()
    {
        if (!Available)
        {
            const string message = "CHROMIUM NOT FOUND at /usr/bin/chromium: the portal page's browser tests are SKIPPED (the test build installs chromium when it may).";
            Console.Error.WriteLine(message);
            Skip.If(true, message);
        }
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(RepoPaths.ServerDll)!, "portal", "index.html")))
        {
            const string message = "PORTAL PAGE NOT BUILT (npm missing?): the portal page's browser tests are SKIPPED (the server build builds it with npm).";
            Console.Error.WriteLine(message);
            Skip.If(true, message);
        }
    }

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root in a sandbox without network: no sandbox, no GPU, and none of Chromium's own background traffic.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
                "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, chromium);
    }

    /// <summary>A fresh profile (empty localStorage) with downloads allowed.</summary>
    public Task<IBrowserContext> NewContextAsync() => Chromium.NewContextAsync(new BrowserNewContextOptions
    {
        AcceptDownloads = true,
        ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
    });

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
