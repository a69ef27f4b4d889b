using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Conversion;

/// <summary>
/// One long-lived LibreOffice: the UNO bridge (uno_bridge.py) and the soffice.bin it starts, together one sandboxed
/// process tree (no network, an address-space limit, an empty environment) with its own profile and scratch folder.
/// Conversions go in as one JSON line on the bridge's stdin and come back as one line on its stdout; one at a time.
/// </summary>
internal sealed class LibreOfficeListener : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private LibreOfficeListener(Process process, string root)
    {
        _process = process;
        ProcessId = process.Id;
        Root = root;
        WorkDirectory = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        _ = DrainErrorsAsync();
    }

    /// <summary>The listener's own folder: its profile and its scratch folder.</summary>
    public string Root { get; }

    /// <summary>Where inputs are put and outputs written, inside the listener's folder.</summary>
    public string WorkDirectory { get; }

    /// <summary>The bridge's process id (soffice.bin is its child).</summary>
    public int ProcessId { get; }

    /// <summary>Conversions done so far.</summary>
    public int Conversions { get; private set; }

    /// <summary>False once the process tree has exited or was killed.</summary>
    public bool IsAlive => !_disposed && !_process.HasExited;

    private bool _disposed;

    /// <summary>Starts the bridge under <paramref name="root"/> and waits until LibreOffice listens.</summary>
    public static async Task<LibreOfficeListener> StartAsync(ConversionOptions options, string bridge, string root, CancellationToken cancellationToken)
    {
        var profile = await WriteProfileAsync(root, cancellationToken).ConfigureAwait(false);
        var temporary = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
        var pipe = "docengine-" + Guid.NewGuid().ToString("N");
        var start = SandboxedProcess.StartInfo(options.PythonPath,
            [bridge, "--soffice", options.SofficePath, "--profile", profile, "--pipe", pipe,
                "--start-limit", options.MaxStartTime.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)],
            root, Limits(options),
            new Dictionary<string, string> { ["HOME"] = root, ["TMPDIR"] = temporary, ["LANG"] = "C.UTF-8", ["SAL_USE_VCLPLUGIN"] = "svp" },
            redirectInput: true);
        var listener = new LibreOfficeListener(Process.Start(start)!, root);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.MaxStartTime);
            var line = await listener._process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            var ready = line is null ? null : JsonSerializer.Deserialize<BridgeReady>(line, Json);
            if (ready?.Ready != true)
            {
                throw new InvalidOperationException($"LibreOffice did not start: {ready?.Detail ?? listener.Errors()}");
            }
            return listener;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            listener.Dispose();
            throw new InvalidOperationException($"LibreOffice did not start listening within {options.MaxStartTime.TotalSeconds:0} seconds: {listener.Errors()}");
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new LibreOffice profile under <paramref name="root"/> with DocEngine's settings (libreoffice-profile.xcu: macros
    /// disabled, untrusted links blocked, links and fields never updated); returns its folder.
    /// </summary>
    internal static async Task<string> WriteProfileAsync(string root, CancellationToken cancellationToken)
    {
        var profile = Path.Combine(root, "profile");
        Directory.CreateDirectory(Path.Combine(profile, "user"));
        await using var settings = typeof(LibreOfficeListener).Assembly.GetManifestResourceStream("DocEngine.Core.Conversion.libreoffice-profile.xcu")!;
        await using var file = File.Create(Path.Combine(profile, "user", "registrymodifications.xcu"));
        await settings.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        return profile;
    }

    /// <summary>The sandbox of every LibreOffice process: no network, bounded memory and open files, no CPU cap (the listener lives long).</summary>
    internal static SandboxLimits Limits(ConversionOptions options) =>
        new((long)options.MemoryLimitMegabytes << 20, CpuSeconds: null, OpenFiles: 1024, NoNetwork: true);

    /// <summary>
    /// Converts <paramref name="input"/> (inside <see cref="WorkDirectory"/>) to <paramref name="output"/>; null when the
    /// process tree died on it (LibreOffice crashed). A timeout kills the tree and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<BridgeAnswer?> ConvertAsync(string input, string output, string? password, int maxPages, TimeSpan limit, CancellationToken cancellationToken)
    {
        Conversions++;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            var request = JsonSerializer.Serialize(new BridgeRequest(input, output, password, maxPages), Json);
            await _process.StandardInput.WriteLineAsync(request.AsMemory(), deadline.Token).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(deadline.Token).ConfigureAwait(false);
            var line = await _process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            return line is null ? null : JsonSerializer.Deserialize<BridgeAnswer>(line, Json);
        }
        catch (OperationCanceledException)
        {
            Dispose(); // the tree may be stuck in the document: nothing of it keeps running
            throw;
        }
        catch (IOException)
        {
            return null; // the pipe broke: the bridge is gone
        }
    }

    /// <summary>What the bridge and LibreOffice said on stderr lately (for logs; never document content).</summary>
    public string Errors()
    {
        lock (_errors)
        {
            return _errors.ToString();
        }
    }

    /// <summary>Kills the whole process tree and deletes the listener's folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        SandboxedProcess.KillTree(_process);
        _process.WaitForExit(5000);
        _process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a child still closing a file; the converter's folder is removed when it is disposed
        }
    }

    private async Task DrainErrorsAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_errors)
                {
                    if (_errors.Length > 4096)
                    {
                        _errors.Remove(0, _errors.Length - 2048);
                    }
                    _errors.AppendLine(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the process is gone
        }
    }

    private sealed record BridgeRequest(string Input, string Output, string? Password, [property: JsonPropertyName("max_pages")] int MaxPages);

    private sealed record BridgeReady(bool Ready, string? Detail);
}

/// <summary>The bridge's answer to one conversion.</summary>
/// <param name="Ok">A PDF was written.</param>
/// <param name="Reason">Why not: PASSWORD_REQUIRED, WRONG_PASSWORD, LOAD_FAILED, TOO_MANY_PAGES or CONVERTER_FAILED.</param>
/// <param name="Detail">LibreOffice's words, for logs.</param>
/// <param name="Pages">Pages laid out (Writer documents), when known.</param>
/// <param name="Family">"writer" or "calc".</param>
/// <param name="Filter">The import filter LibreOffice chose.</param>
internal sealed record BridgeAnswer(bool Ok, string? Reason, string? Detail, int? Pages, string? Family, string? Filter)
{
    /// <summary>Where the PDF is when it is not where it was asked for (the one-shot fallback's own folder).</summary>
    [JsonIgnore]
    public string? Output { get; init; }
}
