using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Mupdf;

/// <summary>
/// Renders PDF pages with MuPDF's <c>mutool draw</c> in child processes: no shell, an empty environment, a scratch
/// working directory, an address-space and CPU-time limit (<c>prlimit</c>), a time limit per page and per request, and
/// a kill on cancel. Pages stream out of the process's stdout as consecutive raw RGB pages (PPM), each written as a PNG
/// here (<see cref="PageRaster"/>) and handed on as soon as it is whole, so page 1 leaves before the next page is drawn.
/// A process-wide semaphore keeps at most <see cref="MutoolOptions.Concurrency"/> renderers running. Previews and the
/// PDF compressor share one renderer per node.
/// </summary>
public sealed class MutoolRenderer
{
    /// <summary>The most a page's pixels may take (a 1000-px-wide preview of a letter page takes 3.9 MB).</summary>
    private const long MaxPageBytes = 512L << 20;
    private readonly MutoolOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<string?> _version;
    private readonly Lazy<bool> _installed;

    /// <summary>Creates the renderer; nothing runs until the first render.</summary>
    public MutoolRenderer(MutoolOptions options)
    {
        _options = options;
        _slots = new SemaphoreSlim(Math.Max(1, options.Concurrency));
        _version = new Lazy<string?>(ProbeVersion);
        _installed = new Lazy<bool>(() => SandboxedProcess.Find(options.MutoolPath) is not null);
    }

    private long _processesStarted;

    /// <summary>The settings this renderer runs mutool with (handed to workers that start mutool themselves).</summary>
    public MutoolOptions Options => _options;

    /// <summary>Renderer processes started so far (tests use it to prove a cached preview drew nothing).</summary>
    public long ProcessesStarted => Interlocked.Read(ref _processesStarted);

    /// <summary>Renderer processes drawing or rewriting now, and how many may at once (the metrics' renderer gauges).</summary>
    public (int Busy, int Capacity) Slots => (Math.Max(1, _options.Concurrency) - _slots.CurrentCount, Math.Max(1, _options.Concurrency));

    /// <summary>
    /// True when mutool is installed where the sandbox finds it: looked up, not run, so a one-shot preview starts its
    /// page 1 without waiting for another process (issue 18). A mutool that is there but cannot run is told apart when a
    /// draw or rewrite fails (<see cref="Unavailable"/>, not a damaged file).
    /// </summary>
    public bool IsAvailable => _installed.Value;

    /// <summary>mutool's version line (it is run once for it), or null when it cannot be run.</summary>
    public string? Version => _installed.Value ? _version.Value : null;

    /// <summary>The refusal when mutool is missing: the subsystem is not serving, and this says how to fix it.</summary>
    public static DocEngineException Unavailable() => new(ErrorKind.FailedPrecondition, "RENDERER_MISSING",
        "PDF previews and compression need MuPDF's mutool, which is not installed on the server: install it (apt-get install mupdf-tools) and restart DocEngine.");

    /// <summary>
    /// Runs <c>mutool draw</c> on <paramref name="pages"/> (in this order) and yields each page's PNG as it is finished:
    /// <paramref name="width"/> pixels wide, or at <paramref name="dpi"/> but never wider than <paramref name="maxWidth"/>.
    /// A <paramref name="behind"/> process runs at a lower CPU priority, so that pages someone is waiting for first (page 1
    /// of a preview) are not slowed by the later pages drawn beside them.
    /// </summary>
    public async IAsyncEnumerable<(int Page, byte[] Png)> RenderAsync(string pdfPath, IReadOnlyList<int> pages, int? width, int? dpi, int maxWidth,
        string? password, [EnumeratorCancellation] CancellationToken cancellationToken, bool behind = false)
    {
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var scratch = Directory.CreateTempSubdirectory("docengine-mutool-");
        using var process = Start(pdfPath, pages, width, dpi, maxWidth, password, scratch.FullName);
        if (behind)
        {
            SandboxedProcess.Lower(process);
        }
        var errors = new StringBuilder();
        var errorReader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                if (errors.Length < 4096)
                {
                    errors.AppendLine(line);
                }
            }
        }, CancellationToken.None);
        using var perPage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var output = process.StandardOutput.BaseStream;
            foreach (var page in pages)
            {
                perPage.CancelAfter(_options.MaxPageTime);
                byte[]? png;
                try
                {
                    png = await PageRaster.ReadPngAsync(output, MaxPageBytes, perPage.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DocEngineException(ErrorKind.ResourceExhausted, "PAGE_RENDER_TIMEOUT",
                        $"Page {page} took longer than {_options.MaxPageTime.TotalSeconds:0} seconds to draw, so its preview was stopped: the page is unusually complex; simplify or rescan it.");
                }
                if (png is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    await errorReader.ConfigureAwait(false);
                    throw Version is null ? Unavailable() : Failure(page, errors.ToString(), password);
                }
                perPage.CancelAfter(Timeout.InfiniteTimeSpan);
                yield return (page, png);
            }
        }
        finally
        {
            SandboxedProcess.KillTree(process); // cancelled, timed out or abandoned: nothing keeps running
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            _slots.Release();
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Rewrites a PDF with <c>mutool clean</c> under the same limits as drawing: repairs a damaged structure as a viewer
    /// would, drops unused objects, merges duplicate objects and streams, saves it without encryption (opening it with
    /// <paramref name="password"/> when one is given), and with <paramref name="deflate"/> compresses every uncompressed
    /// stream. True when MuPDF had to repair it.
    /// </summary>
    public async Task<bool> CleanAsync(string inputPath, string outputPath, string? password, bool deflate, CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var options = new List<string> { "-gggg", "-D" };
            if (deflate)
            {
                options.AddRange(["-z", "-f", "-i"]);
            }
            if (!string.IsNullOrEmpty(password))
            {
                options.AddRange(["-p", password]);
            }
            SandboxResult run;
            try
            {
                run = await SandboxedProcess.RunToEndAsync(StartInfo(Path.GetDirectoryName(outputPath)!, "clean", options, [inputPath, outputPath]), _options.MaxDocumentTime,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DocEngineException(ErrorKind.ResourceExhausted, "PDF_REWRITE_TIMEOUT",
                    $"Reading this PDF took longer than {_options.MaxDocumentTime.TotalSeconds:0} seconds and was stopped: it is unusually complex; print it to a new PDF and try that.");
            }
            var text = run.Errors;
            if (run.ExitCode != 0 || !File.Exists(outputPath))
            {
                throw Version is null ? Unavailable() : text.Contains("cannot authenticate password", StringComparison.Ordinal)
                    ? string.IsNullOrEmpty(password) ? PdfRefusals.PasswordRequired() : PdfRefusals.WrongPassword()
                    : new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
                        "This PDF is too damaged to repair: open it in a PDF viewer and save or print it to a new PDF, then upload that.")
                    {
                        Details = new Dictionary<string, string> { ["renderer_message"] = FirstError(text) },
                    };
            }
            return text.Contains("repair", StringComparison.Ordinal) || text.Contains("broken xref", StringComparison.Ordinal);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>The page count MuPDF sees, for files too damaged for the structural reader; null when it cannot open them either.</summary>
    public async Task<int?> CountPagesAsync(string pdfPath, string? password, CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        var start = StartInfo(Environment.CurrentDirectory, "show", password is null ? [] : ["-p", password], [pdfPath, "trailer/Root/Pages/Count"]);
        var text = (await SandboxedProcess.RunToEndAsync(start, _options.MaxPageTime, cancellationToken).ConfigureAwait(false)).Output;
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0 ? count : null;
    }

    private static string FirstError(string errors) => errors.Split('\n').FirstOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) ?? "";

    private Process Start(string pdfPath, IReadOnlyList<int> pages, int? width, int? dpi, int maxWidth, string? password, string workingDirectory)
    {
        var options = new List<string> { "-q", "-o", "-", "-F", "pnm", "-c", "rgb" };
        if (dpi is { } resolution)
        {
            options.AddRange(["-r", resolution.ToString(CultureInfo.InvariantCulture), "-w", maxWidth.ToString(CultureInfo.InvariantCulture)]);
        }
        else
        {
            options.AddRange(["-w", (width ?? maxWidth).ToString(CultureInfo.InvariantCulture)]);
        }
        if (!string.IsNullOrEmpty(password))
        {
            options.AddRange(["-p", password]);
        }
        Interlocked.Increment(ref _processesStarted);
        return Process.Start(StartInfo(workingDirectory, "draw", options, [pdfPath, string.Join(',', pages)]))!;
    }

    // mutool has no network code, and a network namespace costs ~8 ms a process (a tenth of a page): prlimit alone.
    private ProcessStartInfo StartInfo(string workingDirectory, string tool, IEnumerable<string> options, IEnumerable<string> arguments) =>
        SandboxedProcess.StartInfo(_options.MutoolPath, new[] { tool }.Concat(options).Concat(arguments), workingDirectory,
            new SandboxLimits((long)_options.MemoryLimitMegabytes << 20, (int)Math.Ceiling(_options.MaxDocumentTime.TotalSeconds)));

    private static DocEngineException Failure(int page, string errors, string? password) =>
        errors.Contains("cannot authenticate password", StringComparison.Ordinal)
            ? string.IsNullOrEmpty(password) ? PdfRefusals.PasswordRequired() : PdfRefusals.WrongPassword()
            : new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
                $"Page {page} of this PDF is damaged and cannot be shown: open the PDF in a viewer and save or print it to a new PDF, then upload that.")
            {
                Details = new Dictionary<string, string> { ["renderer_message"] = FirstError(errors) },
            };

    private string? ProbeVersion()
    {
        try
        {
            using var process = Process.Start(StartInfo(Environment.CurrentDirectory, "-v", [], []))!;
            var text = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return text.Split('\n').FirstOrDefault(l => l.StartsWith("mutool version", StringComparison.Ordinal))?.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
