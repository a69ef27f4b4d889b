using System.Diagnostics;
using System.Text.RegularExpressions;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Cli;

/// <summary>
/// A newcomer's first hour (issue 20): the server starts from any folder, a busy port is one sentence, the CLI's exit
/// codes for Ctrl-C and for an HTTP/1.1-only listener, and every hint the CLI prints works as printed.
/// </summary>
public sealed partial class StartupAndHintTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _elsewhere = new();
    private readonly TempDirectory _cache = new();
    private ServerProcess _server = null!;

    // Started from a folder with no appsettings.json in it: the server still finds its own and speaks HTTP/2 to gRPC.
    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(_data.Path, workingDirectory: _elsewhere.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
        _elsewhere.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task A_second_server_on_a_busy_port_exits_with_one_sentence_and_no_stack_trace()
    {
        using var second = new TempDirectory();
        var start = DotNet.StartInfo(RepoPaths.ServerDll, [], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Kestrel__Endpoints__Grpc__Url"] = _server.Url,
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{DocEngineFactory.FreePort()}",
            ["DocEngine__DataDirectory"] = second.Path,
            ["Logging__Console__FormatterName"] = "simple",
        }, _elsewhere.Path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);

        var output = await stdout + await stderr;
        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"DocEngine cannot start: {_server.Url} is already in use by another program.", await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_pointed_at_the_browsers_http1_listener_exits_4_with_a_sentence()
    {
        var file = Path.Combine(_cache.Path, "a.pdf");
        await File.WriteAllBytesAsync(file, TestData.Bytes(1000));

        var result = await CliProcess.RunAsync(_cache.Path, "inspect", file, "--server", _server.WebUrl);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("speaks only HTTP/1.1", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("HttpRequestException", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_exits_130_and_only_a_resumable_command_says_to_run_it_again()
    {
        var input = Path.Combine(_cache.Path, "in");
        Batch.BatchFolders.WritePhotos(input, 30);
        using var batch = CliProcess.Start(_cache.Path, "batch", input, "--out", Path.Combine(_cache.Path, "out"), "--concurrency", "1");
        var report = Path.Combine(_cache.Path, "out", "report.jsonl");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(File.Exists(report) && new FileInfo(report).Length > 0))
        {
            Assert.True(DateTime.UtcNow < deadline, "the batch wrote nothing within 60 seconds");
            await Task.Delay(50);
        }

        batch.Interrupt();
        var result = await batch.WaitAsync();

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("Interrupted. Run the same command again to continue where it stopped.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_hint_the_cli_prints_runs_as_printed()
    {
        var file = Path.Combine(_cache.Path, "form.pdf");
        await File.WriteAllBytesAsync(file, Previews.PreviewRenderingTests.SimplePdf(0));
        var upload = await CliProcess.RunAsync(_cache.Path, "upload", file, "--server", _server.Url, "--receipt-out", Path.Combine(_cache.Path, "receipts.jws"));
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var usage = await CliProcess.RunAsync(_cache.Path, "preview");
        Assert.Equal(2, usage.ExitCode);

        var hints = Hint().Matches(upload.Stderr + usage.Stderr).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(hints, h => h.StartsWith("docengine receipt verify ", StringComparison.Ordinal));
        Assert.Contains("docengine --help", hints);
        Assert.Contains("docengine preview --help", hints);
        foreach (var hint in hints)
        {
            var words = Words().Matches(hint).Select(m => m.Value.Trim('\'')).Skip(1).ToArray(); // "docengine" is the program
            var run = await CliProcess.RunAsync(_cache.Path, words);
            Assert.True(run.ExitCode == 0, $"`{hint}` as printed: {run}");
        }
    }

    /// <summary>A command in backticks that starts with "docengine": how the CLI shows a command to run.</summary>
    [GeneratedRegex(@"`(docengine[^`]*)`")]
    private static partial Regex Hint();

    [GeneratedRegex(@"'[^']*'|\S+")]
    private static partial Regex Words();
}
