using System.Text.Json;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Bench;

/// <summary>One real server process shared by the bench tests, so each test pays for its run and not for a server start.</summary>
public sealed class BenchServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    /// <summary>The server, in Development (the CLI's default key works and cache bypass is allowed).</summary>
    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary><c>docengine bench</c> against a real server process: the report's exact JSON shape, counted requests, and usage errors (issue 8).</summary>
public sealed class BenchCommandTests(BenchServerFixture fixture) : IClassFixture<BenchServerFixture>, IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Bench_upload_for_two_seconds_reports_requests_throughput_and_ordered_percentiles_in_exactly_the_documented_json_shape()
    {
        var inputs = Directory.CreateDirectory(Path.Combine(_work.Path, "inputs")).FullName;
        foreach (var (name, size, seed) in new[] { ("a.pdf", 20_000, 1), ("b.jpg", 50_000, 2), ("c.bin", 5_000, 3) })
        {
            var bytes = new byte[size];
            new Random(seed).NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(inputs, name), bytes);
        }

        var run = await Cli("bench", "upload", "--server", fixture.Server.Url, "--input", inputs, "--duration", "2s", "--concurrency", "4", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["requests", "errors", "throughput", "latencyMillis"], Keys(report));
        Assert.Equal(["requestsPerSecond", "megabytesPerSecond"], Keys(report.GetProperty("throughput")));
        Assert.Equal(["p50", "p90", "p99", "max"], Keys(report.GetProperty("latencyMillis")));
        Assert.True(report.GetProperty("requests").GetInt64() > 0, run.ToString());
        Assert.Empty(Keys(report.GetProperty("errors")));
        Assert.True(report.GetProperty("throughput").GetProperty("requestsPerSecond").GetDouble() > 0, run.ToString());
        Assert.True(report.GetProperty("throughput").GetProperty("megabytesPerSecond").GetDouble() > 0, run.ToString());
        var latency = report.GetProperty("latencyMillis");
        var (p50, p90, p99, max) = (latency.GetProperty("p50").GetDouble(), latency.GetProperty("p90").GetDouble(),
            latency.GetProperty("p99").GetDouble(), latency.GetProperty("max").GetDouble());
        Assert.True(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, run.ToString());
    }

    [Fact]
    public async Task Bench_verify_with_a_request_count_makes_exactly_that_many_requests_on_a_stored_pdf()
    {
        var pdf = Path.Combine(_work.Path, "form.pdf");
        await File.WriteAllBytesAsync(pdf, FormPdf.Create().Bytes);

        var run = await Cli("bench", "verify", "--server", fixture.Server.Url, "--input", pdf, "--requests", "10", "--concurrency", "2", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(10, report.GetProperty("requests").GetInt64());
        Assert.Empty(Keys(report.GetProperty("errors")));
    }

    [Fact]
    public async Task Bench_with_both_a_duration_and_a_request_count_is_a_usage_error()
    {
        var pdf = Path.Combine(_work.Path, "form.pdf");
        await File.WriteAllBytesAsync(pdf, FormPdf.Create().Bytes);

        var run = await Cli("bench", "verify", "--server", fixture.Server.Url, "--input", pdf, "--duration", "2s", "--requests", "5", "--concurrency", "1");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("exactly one of --duration", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    private Task<CliResult> Cli(params string[] arguments) => CliProcess.RunAsync(Path.Combine(_work.Path, "cache"), arguments);

    private static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
