using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>upload-e2e [--size 1GiB] [--runs 3] [--chunk-size 64KiB] [--windows tuned|default] [--rtt-ms 0] [--summary-json FILE]</c>: in one run, alternately,
/// (a) <c>docengine upload</c> of the file into a freshly started DocEngine server and (b) the raw HTTP/2 POST peer,
/// each as separate processes on loopback. Reports median MB/s, the ratio, and the DocEngine server's resident memory
/// idle and at its peak during the upload (sampled from /proc every 20 ms).
/// </summary>
internal static class UploadEndToEnd
{
    private const string ApiKey = "bench-key";

    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var options = Options.Parse(rest);
        var root = Path.Combine(Path.GetTempPath(), "docengine-bench-e2e");
        Directory.CreateDirectory(root);
        var input = Path.Combine(root, $"input-{options.Size}.bin");
        if (!File.Exists(input) || new FileInfo(input).Length != options.Size)
        {
            WriteRandomFile(input, options.Size);
        }
        var repository = FindRepository();
        var serverDll = Path.Combine(repository, "src/DocEngine.Server/bin/Release/net10.0/DocEngine.Server.dll");
        var cliDll = Path.Combine(repository, "src/DocEngine.Cli/bin/Release/net10.0/docengine.dll");
        foreach (var required in new[] { serverDll, cliDll })
        {
            if (!File.Exists(required))
            {
                Console.Error.WriteLine($"Missing {required}: run 'dotnet build -c Release' first.");
                return 1;
            }
        }

        var docengine = new List<Measurement>();
        var raw = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            raw.Add(await RunRawAsync(input, Path.Combine(root, "raw"), options));
            docengine.Add(await RunDocEngineAsync(serverDll, cliDll, input, Path.Combine(root, "data"), options));
            Console.Error.WriteLine($"run {run}: docengine {docengine[^1].MegabytesPerSecond:F0} MB/s, raw {raw[^1]:F0} MB/s, server RSS {docengine[^1].IdleRssMb:F0} -> {docengine[^1].PeakRssMb:F0} MB");
        }

        var ours = Median(docengine.Select(m => m.MegabytesPerSecond));
        var theirs = Median(raw);
        Console.WriteLine($"| {options.Size / (1 << 20)} MiB, chunk {options.ChunkSize / 1024} KiB, windows {options.Windows}, RTT {options.RoundTripMs} ms | " +
            $"{ours:F0} | {theirs:F0} | {ours / theirs:F2}x | {Median(docengine.Select(m => m.IdleRssMb)):F0} | {Median(docengine.Select(m => m.PeakRssMb)):F0} | " +
            $"{Median(docengine.Select(m => m.PeakRssMb - m.IdleRssMb)):F0} |");
        ComparisonRow.Write(summary, [ComparisonRow.Throughput(
            $"Upload ingest of {options.Size / (1 << 20)} MiB (gRPC, SHA-256, durable), chunk {options.ChunkSize / 1024} KiB, RTT {options.RoundTripMs} ms, median of {options.Runs}",
            "raw HTTP/2 POST into Kestrel that hashes and fsyncs", ours, theirs, "MB/s", 0.7, 0.9,
            $"server RSS {Median(docengine.Select(m => m.PeakRssMb - m.IdleRssMb)):F0} MB over idle at peak")]);
        return 0;
    }

    private static async Task<double> RunRawAsync(string input, string directory, Options options)
    {
        var port = FreePort();
        using var server = Process.Start(RawIngest.Self("raw-server", port.ToString(CultureInfo.InvariantCulture), directory))!;
        Drain(server);
        await using var proxy = options.RoundTripMs > 0 ? new LatencyProxy(port, TimeSpan.FromMilliseconds(options.RoundTripMs / 2.0)) : null;
        try
        {
            await WaitAsync(async () =>
            {
                using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
                return (await http.GetStringAsync($"http://127.0.0.1:{port}/ready")) == "ready";
            });
            var clock = Stopwatch.StartNew();
            await RunToEndAsync(RawIngest.Self("raw-client", $"http://127.0.0.1:{proxy?.Port ?? port}/ingest", input));
            return new FileInfo(input).Length / 1e6 / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    private static async Task<Measurement> RunDocEngineAsync(string serverDll, string cliDll, string input, string data, Options options)
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = Dotnet(serverDll, "--urls", url);
        start.WorkingDirectory = Path.GetDirectoryName(serverDll)!;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DocEngine__DataDirectory"] = data;
        start.Environment["DocEngine__ApiKeys__0__Key"] = ApiKey;
        start.Environment["DocEngine__ApiKeys__0__Tenant"] = "bench";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (options.Windows == "default")
        {
            // Kestrel's own defaults, to measure what the tuned windows in appsettings.json buy.
            start.Environment["Kestrel__Limits__Http2__InitialConnectionWindowSize"] = "131072";
            start.Environment["Kestrel__Limits__Http2__InitialStreamWindowSize"] = "98304";
        }
        using var server = Process.Start(start)!;
        Drain(server);
        await using var proxy = options.RoundTripMs > 0 ? new LatencyProxy(port, TimeSpan.FromMilliseconds(options.RoundTripMs / 2.0)) : null;
        var clientUrl = $"http://127.0.0.1:{proxy?.Port ?? port}";
        var cache = Path.Combine(data, "..", "cli-cache");
        try
        {
            var warmup = Path.Combine(Path.GetDirectoryName(input)!, "warmup.bin");
            WriteRandomFile(warmup, 1 << 20);
            await WaitAsync(async () => (await UploadAsync(cliDll, url, warmup, options, cache)).ExitCode == 0);
            await Task.Delay(500);
            var idle = ResidentMegabytes(server.Id);

            var peak = idle;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, ResidentMegabytes(server.Id));
                    await Task.Delay(20);
                }
            });
            var clock = Stopwatch.StartNew();
            var result = await UploadAsync(cliDll, clientUrl, input, options, cache);
            var seconds = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("docengine upload failed: " + result.Error);
            }
            return new Measurement(new FileInfo(input).Length / 1e6 / seconds, idle, peak);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    private static async Task<(int ExitCode, string Error)> UploadAsync(string cliDll, string url, string file, Options options, string cache)
    {
        var start = Dotnet(cliDll, "upload", file, "--server", url, "--api-key", ApiKey, "--chunk-size", options.ChunkSize.ToString(CultureInfo.InvariantCulture));
        start.Environment["DOCENGINE_CACHE_DIR"] = cache;
        return await RunToEndAsync(start);
    }

    private static async Task<(int ExitCode, string Error)> RunToEndAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stdout;
        return (process.ExitCode, await stderr);
    }

    internal static ProcessStartInfo Dotnet(string dll, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return 0;
    }

    internal static void Drain(Process process)
    {
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    internal static async Task WaitAsync(Func<Task<bool>> ready)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not start within 30 seconds.");
    }

    private static void WriteRandomFile(string path, long size)
    {
        var random = new Random(7);
        var buffer = new byte[1 << 20];
        using var file = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DocEngine.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the DocEngine repository.");
    }

    private sealed record Measurement(double MegabytesPerSecond, double IdleRssMb, double PeakRssMb);

    private sealed record Options(long Size, int Runs, int ChunkSize, string Windows, int RoundTripMs)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(1L << 30, 3, 64 << 10, "tuned", 0);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                options = args[i] switch
                {
                    "--size" => options with { Size = Bytes(args[i + 1]) },
                    "--runs" => options with { Runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                    "--chunk-size" => options with { ChunkSize = (int)Bytes(args[i + 1]) },
                    "--windows" => options with { Windows = args[i + 1] },
                    "--rtt-ms" => options with { RoundTripMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            return options;
        }

        private static long Bytes(string text) => text.ToUpperInvariant() switch
        {
            var t when t.EndsWith("GIB", StringComparison.Ordinal) => long.Parse(t[..^3], CultureInfo.InvariantCulture) << 30,
            var t when t.EndsWith("MIB", StringComparison.Ordinal) => long.Parse(t[..^3], CultureInfo.InvariantCulture) << 20,
            var t when t.EndsWith("KIB", StringComparison.Ordinal) => long.Parse(t[..^3], CultureInfo.InvariantCulture) << 10,
            var t => long.Parse(t, CultureInfo.InvariantCulture),
        };
    }
}
