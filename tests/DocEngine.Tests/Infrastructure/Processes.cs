using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocEngine.Tests.Infrastructure;

/// <summary>Runs a built DocEngine program as a child process through the dotnet host.</summary>
internal static class DotNet
{
    public static ProcessStartInfo StartInfo(string dll, IEnumerable<string> arguments, IDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return start;
    }
}

/// <summary>
/// The real server as a separate process on loopback, in the Development environment (so the CLI's default key works),
/// on a data directory the test owns. <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string TenantBKey = "process-key-tenant-b";
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process, string url, string webUrl)
    {
        _process = process;
        Url = url;
        WebUrl = webUrl;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The gRPC listener (HTTP/2).</summary>
    public string Url { get; }

    /// <summary>The browsers' listener (HTTP/1.1): the portal page and gRPC-Web.</summary>
    public string WebUrl { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server; <paramref name="settings"/> are extra configuration keys (e.g. DocEngine:Portal:ChunkBytes),
    /// <paramref name="workingDirectory"/> is where it is started from (default: its own folder), and
    /// <paramref name="environmentName"/> the ASP.NET Core environment (Development by default, as its key is the CLI's default).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, int? port = null, IReadOnlyDictionary<string, string>? settings = null,
        string? workingDirectory = null, string environmentName = "Development")
    {
        var server = new ServerProcess(Process.Start(StartInfo(dataDirectory, port, settings, environmentName, workingDirectory, out var url, out var webUrl))!, url, webUrl);
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>Starts the server and waits for it to exit, for settings it must refuse at start: its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string dataDirectory, IReadOnlyDictionary<string, string> settings, string environmentName)
    {
        using var process = Process.Start(StartInfo(dataDirectory, null, settings, environmentName, null, out _, out _))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The server did not exit within a minute: it started although it should have refused its settings.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo StartInfo(string dataDirectory, int? port, IReadOnlyDictionary<string, string>? settings, string environmentName,
        string? workingDirectory, out string url, out string webUrl)
    {
        url = $"http://127.0.0.1:{port ?? DocEngineFactory.FreePort()}";
        webUrl = $"http://127.0.0.1:{DocEngineFactory.FreePort()}";
        // Development names its two listeners (appsettings.Development.json); the test moves both to free ports, and
        // gives any other environment the same two.
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["Kestrel__Endpoints__Web__Protocols"] = "Http1",
            ["Kestrel__Endpoints__Grpc__Url"] = url,
            ["Kestrel__Endpoints__Web__Url"] = webUrl,
            ["DocEngine__DataDirectory"] = dataDirectory,
            ["DocEngine__ApiKeys__1__Key"] = TenantBKey,
            ["DocEngine__ApiKeys__1__Tenant"] = "process-tenant-b",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key.Replace(":", "__")] = value;
        }
        return DotNet.StartInfo(RepoPaths.ServerDll, [], environment, workingDirectory);
    }

    /// <summary>
    /// A call invoker with the Development key. <paramref name="oneConnection"/> keeps every call on one HTTP/2
    /// connection, queued in the client while the server's stream limit is reached, instead of gRPC's default of opening
    /// another connection, whose first calls can go out before its SETTINGS frame and be refused by Kestrel's stream limit.
    /// </summary>
    public CallInvoker Invoker(string apiKey = "docengine-development-key", bool oneConnection = false) =>
        GrpcChannel.ForAddress(Url, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 16 << 20,
                HttpHandler = oneConnection ? new SocketsHttpHandler { EnableMultipleHttp2Connections = false } : null,
            })
            .Intercept(headers =>
            {
                headers.Add("authorization", "Bearer " + apiKey);
                return headers;
            });

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
        await Task.CompletedTask;
    }

    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Url);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode} while starting:\n{Log}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (RpcException e)
            {
                Kill();
                throw new InvalidOperationException($"The server did not become healthy within a minute ({e.Status}):\n{Log}", e);
            }
            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}

/// <summary>The <c>docengine</c> CLI as a child process.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static CliProcess Start(string cacheDirectory, params string[] arguments) => Start(cacheDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the CLI with extra environment variables (DOCENGINE_TOKEN, …); the developer's own credentials never leak in.</summary>
    public static CliProcess Start(string cacheDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var all = new Dictionary<string, string>
        {
            ["DOCENGINE_CACHE_DIR"] = cacheDirectory,
            ["DOCENGINE_API_KEY"] = "",
            ["DOCENGINE_TOKEN"] = "",
        };
        foreach (var (key, value) in environment)
        {
            all[key] = value;
        }
        return new(Process.Start(DotNet.StartInfo(RepoPaths.CliDll, arguments, all))!);
    }

    public static async Task<CliResult> RunAsync(string cacheDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var cli = Start(cacheDirectory, environment, arguments);
        return await cli.WaitAsync();
    }

    public static async Task<CliResult> RunAsync(string cacheDirectory, params string[] arguments)
    {
        using var cli = Start(cacheDirectory, arguments);
        return await cli.WaitAsync();
    }

    public async Task<CliResult> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _process.WaitForExitAsync(timeout.Token);
        return new CliResult(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", "INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    public void Dispose() => _process.Dispose();
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
