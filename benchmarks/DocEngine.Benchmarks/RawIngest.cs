using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace DocEngine.Benchmarks;

/// <summary>
/// The peer for upload ingest: a plain HTTP/2 POST into Kestrel whose endpoint hashes the body with SHA-256 and writes
/// it durably (fsync at the end) — what a hand-written upload endpoint would do, with none of our protocol.
/// </summary>
internal static class RawIngest
{
    /// <summary><c>raw-server PORT DIR</c>: serves POST /ingest on 127.0.0.1:PORT, with the same HTTP/2 windows as DocEngine's appsettings.json.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var (port, directory) = (int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture), args[1]);
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 << 20;
        });
        var app = builder.Build();
        app.MapGet("/ready", () => "ready");
        app.MapPost("/ingest", async (HttpRequest request) =>
        {
            var path = Path.Combine(directory, Guid.NewGuid().ToString("n"));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
            {
                long offset = 0;
                while (true)
                {
                    var result = await request.BodyReader.ReadAsync();
                    foreach (var segment in result.Buffer)
                    {
                        RandomAccess.Write(file, segment.Span, offset);
                        hash.AppendData(segment.Span);
                        offset += segment.Length;
                    }
                    request.BodyReader.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
                RandomAccess.FlushToDisk(file);
            }
            File.Delete(path);
            return Results.Text(Convert.ToHexStringLower(hash.GetHashAndReset()));
        });
        await app.RunAsync();
        return 0;
    }

    /// <summary><c>raw-client URL FILE</c>: POSTs FILE over HTTP/2 (prior knowledge) and prints the server's SHA-256.</summary>
    public static async Task<int> PostAsync(string[] args)
    {
        using var http = new HttpClient(new SocketsHttpHandler { InitialHttp2StreamWindowSize = 8 << 20 })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        await using var file = new FileStream(args[1], FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        using var response = await http.PostAsync(args[0], new StreamContent(file, 1 << 20));
        response.EnsureSuccessStatusCode();
        Console.WriteLine(await response.Content.ReadAsStringAsync());
        return 0;
    }

    /// <summary>Runs this benchmark program again with another verb.</summary>
    public static ProcessStartInfo Self(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RawIngest).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
