using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DocEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DocEngine.Tests.Bench;

/// <summary>
/// CI's smoke run of every BenchmarkDotNet suite (issue 8): <c>--filter '*' --job dry --inProcess</c> on the Release
/// build, as the README documents it. It proves each suite's setup and every benchmark still run, on whatever inputs are
/// here (../shared, or the suites' generated ones), not how fast they are.
/// </summary>
[Collection(RunsAlone.Collection)] // it saturates the cores for about half a minute
public sealed class BenchmarkSuitesSmokeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Project = Path.Combine(RepoPaths.Root, "benchmarks", "DocEngine.Benchmarks");
    private static readonly string Dll = Path.Combine(Project, "bin", "Release", "net10.0", "DocEngine.Benchmarks.dll");
    private readonly TempDirectory _artifacts = new();

    public void Dispose() => _artifacts.Dispose();

    [Fact]
    public async Task Every_suite_runs_its_dry_job_and_every_benchmark_in_it_succeeds()
    {
        var clock = Stopwatch.StartNew();
        // One build, then the dll: `dotnet run` would build again on every call.
        var build = await RunAsync(TimeSpan.FromMinutes(10), "build", Project, "-c", "Release", "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Assert.True(build.ExitCode == 0, $"dotnet build -c Release failed:\n{build.Output}");
        var listed = await RunAsync(TimeSpan.FromMinutes(1), Dll, "--list", "flat", "--filter", "*");
        Assert.True(listed.ExitCode == 0, listed.Output);
        var expected = listed.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("DocEngine.Benchmarks.", StringComparison.Ordinal))
            .Select(line => line.Split('.') is [_, _, var type, var method] ? (Type: type, Method: method) : throw new InvalidOperationException(line))
            .ToList();
        Assert.Contains(expected, b => b.Type == "PreviewBenchmarks");

        var run = await RunAsync(TimeSpan.FromMinutes(10), Dll, "--filter", "*", "--job", "dry", "--inProcess", "--exporters", "json", "--artifacts", _artifacts.Path);

        output.WriteLine($"build + run: {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{Tail(run.Output)}");
        var results = Results(_artifacts.Path);
        foreach (var suite in expected.GroupBy(b => b.Type))
        {
            if (suite.Key == "VerifyBenchmarks" && RepoPaths.Shared is null)
            {
                // Its inputs are the real signed corpus; the suite says on stderr that it skipped.
                output.WriteLine("SKIPPED VerifyBenchmarks: ../shared/corpus/pdf-signed is not beside the repository.");
                continue;
            }
            foreach (var (type, method) in suite)
            {
                var cases = results.Where(r => r.Type == type && r.Method == method).ToList();
                Assert.True(cases.Count > 0, $"{type}.{method} did not run:\n{Tail(run.Output)}");
                Assert.True(cases.All(c => c.Succeeded), $"{type}.{method} failed in {string.Join(", ", cases.Where(c => !c.Succeeded).Select(c => c.Parameters))}:\n{Tail(run.Output)}");
            }
        }
    }

    /// <summary>Every benchmark case in BenchmarkDotNet's JSON reports; a case that failed has no statistics.</summary>
    private static List<(string Type, string Method, string Parameters, bool Succeeded)> Results(string artifacts) =>
        Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-full-compressed.json")
            .SelectMany(file => JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("Benchmarks").EnumerateArray()
                .Select(b => (b.GetProperty("Type").GetString()!, b.GetProperty("Method").GetString()!, b.GetProperty("Parameters").GetString() ?? "",
                    b.TryGetProperty("Statistics", out var statistics) && statistics.ValueKind == JsonValueKind.Object && statistics.GetProperty("N").GetInt32() > 0)))
            .ToList();

    /// <summary>Runs <c>dotnet ARGUMENTS</c> from the repository root, with no build servers left behind to hold its output open.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Append($"(killed after {limit.TotalMinutes:F0} minutes)");
            return (-1, Collected());
        }
        return (process.ExitCode, Collected());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (text)
                {
                    text.AppendLine(line);
                }
            }
        }

        string Collected()
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}
