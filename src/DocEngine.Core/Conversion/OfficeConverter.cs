using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using DocEngine.Core.Detection;
using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Conversion;

/// <summary>
/// Word (DOC, DOCX, DOCM), OpenDocument, RTF and spreadsheet files into PDF, the way Gotenberg does it: a pool of
/// long-lived LibreOffice listeners (<see cref="ConversionOptions.Listeners"/>, one per core by default), each with its
/// own profile, each a sandboxed process tree without network, driven over UNO. A listener is replaced after
/// <see cref="ConversionOptions.ConversionsPerListener"/> conversions and after any failure (in the background, so the
/// next conversion finds it warm); a conversion past <see cref="ConversionOptions.MaxDocumentTime"/> has its tree
/// killed. A document that crashes LibreOffice's listener (the headless packages lack the widgets some documents ask
/// for, such as Word comments) is converted once more by a one-shot <c>soffice --convert-to</c> in the same sandbox.
/// </summary>
public sealed class OfficeConverter : IDisposable
{
    private readonly ConversionOptions _options;
    private readonly string _root;
    private readonly Channel<Slot> _slots;
    private readonly ConcurrentDictionary<LibreOfficeListener, bool> _listeners = new();
    private readonly Lazy<string?> _unavailable;
    private readonly Lazy<string> _bridge;
    private long _started;
    private bool _disposed;

    /// <summary>Creates the pool; no LibreOffice starts until the first conversion or <see cref="WarmUpAsync"/>.</summary>
    public OfficeConverter(ConversionOptions options)
    {
        _options = options;
        _root = Directory.CreateTempSubdirectory("docengine-libreoffice-").FullName;
        var count = Math.Max(1, options.Listeners);
        _slots = Channel.CreateBounded<Slot>(count);
        for (var i = 0; i < count; i++)
        {
            _slots.Writer.TryWrite(new Slot());
        }
        _unavailable = new Lazy<string?>(Probe);
        _bridge = new Lazy<string>(WriteBridge);
    }

    /// <summary>Listener process trees started so far (tests use it to see restarts).</summary>
    public long ListenersStarted => Interlocked.Read(ref _started);

    /// <summary>The bridge process ids of the listeners running now (tests use them to look at their namespaces).</summary>
    internal IReadOnlyList<int> ListenerProcessIds => _listeners.Keys.Where(l => l.IsAlive).Select(l => l.ProcessId).ToList();

    /// <summary>True when LibreOffice, its UNO module and a network namespace are all there.</summary>
    public bool IsAvailable => _unavailable.Value is null;

    /// <summary>Why conversion is off, as a sentence for operators; null when it works.</summary>
    public string? Unavailability => _unavailable.Value;

    /// <summary>The kinds this converts: Word, RTF, OpenDocument and Excel files (PowerPoint needs LibreOffice Impress, which is not installed).</summary>
    public static bool CanConvert(DocumentKind kind) =>
        kind is DocumentKind.LegacyOffice or DocumentKind.WordDocx or DocumentKind.ExcelXlsx or DocumentKind.OpenDocument or DocumentKind.Rtf;

    /// <summary>The refusal when LibreOffice cannot run here: not serving, with what to do.</summary>
    public DocEngineException Unavailable() => new(ErrorKind.FailedPrecondition, "CONVERTER_MISSING",
        $"Word and OpenDocument files cannot be converted on this server ({_unavailable.Value}): save the document as PDF (File > Save As > PDF) and upload the PDF.");

    /// <summary>Starts every listener now, so the first conversions do not wait for LibreOffice to start.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        var slots = new List<Slot>();
        try
        {
            while (slots.Count < Math.Max(1, _options.Listeners))
            {
                var slot = await _slots.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                slots.Add(slot);
                slot.Ready ??= StartListenerAsync();
            }
            await Task.WhenAll(slots.Select(s => s.Ready!)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var slot in slots)
            {
                _slots.Writer.TryWrite(slot);
            }
        }
    }

    /// <summary>
    /// Converts the office file at <paramref name="inputPath"/>, detected as <paramref name="type"/>, into the PDF
    /// <paramref name="outputPath"/>. Refusals: password-protected, wrong password, damaged or not really a document,
    /// too many pages, too long; LibreOffice missing is CONVERTER_MISSING.
    /// </summary>
    public async Task<OfficeConversion> ConvertAsync(string inputPath, DetectedType type, string? fileName, string outputPath, string? password,
        CancellationToken cancellationToken)
    {
        if (!CanConvert(type.Kind))
        {
            throw Refusals.For(type);
        }
        if (!IsAvailable)
        {
            throw Unavailable();
        }
        var size = new FileInfo(inputPath).Length;
        if (size > _options.MaxInputBytes)
        {
            throw new DocEngineException(ErrorKind.ResourceExhausted, "DOCUMENT_TOO_LARGE",
                $"This document is {ByteSize.Describe(size)}, more than the {ByteSize.Describe(_options.MaxInputBytes)} this service converts: save it as PDF yourself and upload the PDF.");
        }
        var clock = Stopwatch.StartNew();
        var slot = await _slots.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        LibreOfficeListener? listener = null;
        try
        {
            listener = await TakeListenerAsync(slot, cancellationToken).ConfigureAwait(false);
            var input = Path.Combine(listener.WorkDirectory, "input" + InputExtension(type.Kind, fileName));
            var output = Path.Combine(listener.WorkDirectory, "output.pdf");
            File.Copy(inputPath, input, overwrite: true);
            BridgeAnswer? answer;
            try
            {
                answer = await listener.ConvertAsync(input, output, password, _options.MaxPages, _options.MaxDocumentTime, cancellationToken).ConfigureAwait(false);
                if (answer is null or { Reason: "CONVERTER_FAILED" })
                {
                    // LibreOffice died on it as a listener: a one-shot convert-to of the same file, in a fresh sandbox.
                    Retire(slot, listener);
                    listener = null;
                    answer = await OneShotAsync(inputPath, type.Kind, fileName, _options.MaxDocumentTime - clock.Elapsed, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DocEngineException(ErrorKind.ResourceExhausted, "CONVERSION_TIMEOUT",
                    $"Converting this document took longer than {_options.MaxDocumentTime.TotalSeconds:0} seconds and was stopped: it is unusually large or complex; save it as PDF yourself (File > Save As > PDF) and upload the PDF.");
            }
            if (!answer.Ok)
            {
                throw Refusal(answer, type, password);
            }
            var source = answer.Output ?? output;
            if (!File.Exists(source) || new FileInfo(source).Length == 0)
            {
                throw Refusal(answer with { Reason = "LOAD_FAILED" }, type, password);
            }
            File.Move(source, outputPath, overwrite: true);
            var from = SourceName(type.Kind, answer.Family);
            return new OfficeConversion(from, answer.Pages,
                $"Converted the {from} document to PDF with LibreOffice (macros never run, links never followed).");
        }
        catch (Exception e) when (listener is not null && !(e is DocEngineException && listener.IsAlive))
        {
            // After any failure of LibreOffice itself a fresh listener; a document it read and refused leaves it healthy.
            Retire(slot, listener);
            listener = null;
            throw;
        }
        finally
        {
            if (listener is not null)
            {
                foreach (var file in Directory.EnumerateFiles(listener.WorkDirectory))
                {
                    File.Delete(file);
                }
                if (listener.Conversions >= _options.ConversionsPerListener)
                {
                    Retire(slot, listener);
                }
                else
                {
                    slot.Ready = Task.FromResult(listener);
                }
            }
            _slots.Writer.TryWrite(slot);
        }
    }

    /// <summary>Kills every listener and removes their folders.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var listener in _listeners.Keys)
        {
            listener.Dispose();
        }
        _listeners.Clear();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a process still closing a file
        }
    }

    private async Task<LibreOfficeListener> TakeListenerAsync(Slot slot, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            slot.Ready ??= StartListenerAsync();
            var ready = slot.Ready;
            slot.Ready = null;
            try
            {
                var listener = await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (listener.IsAlive)
                {
                    return listener;
                }
                Forget(listener);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception && attempt == 0 && !_disposed)
            {
                // a start that failed once (a crash while starting) is tried again before the caller is refused
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
            {
                throw new DocEngineException(ErrorKind.FailedPrecondition, "CONVERTER_FAILED",
                    "LibreOffice could not be started on the server, so this document was not converted: try again in a minute, or save it as PDF and upload the PDF.");
            }
        }
    }

    private Task<LibreOfficeListener> StartListenerAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _started);
        var root = Directory.CreateDirectory(Path.Combine(_root, "listener-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        return Task.Run(async () =>
        {
            var listener = await LibreOfficeListener.StartAsync(_options, _bridge.Value, root, CancellationToken.None).ConfigureAwait(false);
            _listeners[listener] = true;
            if (_disposed)
            {
                Forget(listener);
            }
            return listener;
        });
    }

    /// <summary>Replaces a listener that failed or did its share: the old tree dies, a new one starts in the background.</summary>
    private void Retire(Slot slot, LibreOfficeListener listener)
    {
        Forget(listener);
        slot.Ready = _disposed ? null : StartListenerAsync();
        slot.Ready?.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    private void Forget(LibreOfficeListener listener)
    {
        _listeners.TryRemove(listener, out _);
        listener.Dispose();
    }

    /// <summary>One <c>soffice --convert-to pdf</c> in a fresh sandboxed profile, for the documents that crash a listener.</summary>
    private async Task<BridgeAnswer> OneShotAsync(string inputPath, DocumentKind kind, string? fileName, TimeSpan limit, CancellationToken cancellationToken)
    {
        var root = Directory.CreateDirectory(Path.Combine(_root, "oneshot-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        try
        {
            var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var profile = await LibreOfficeListener.WriteProfileAsync(root, cancellationToken).ConfigureAwait(false);
            var input = Path.Combine(work, "input" + InputExtension(kind, fileName));
            File.Copy(inputPath, input);
            var start = SandboxedProcess.StartInfo(_options.SofficePath,
                ["--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault", "-env:UserInstallation=" + new Uri(profile).AbsoluteUri,
                    "--convert-to", "pdf", "--outdir", work, input],
                root, LibreOfficeListener.Limits(_options),
                new Dictionary<string, string> { ["HOME"] = root, ["TMPDIR"] = work, ["LANG"] = "C.UTF-8", ["SAL_USE_VCLPLUGIN"] = "svp" });
            var clock = Stopwatch.StartNew();
            SandboxResult? last = null;
            // A new profile makes soffice.bin write it and exit with 81, asking to be started again (oosplash's job).
            for (var run = 0; run < 2; run++)
            {
                var left = limit - clock.Elapsed;
                var result = last = await SandboxedProcess.RunToEndAsync(start, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                if (result.ExitCode != 81)
                {
                    break;
                }
            }
            var output = Path.Combine(work, "input.pdf");
            if (!File.Exists(output))
            {
                return new BridgeAnswer(false, "LOAD_FAILED", "the one-shot conversion wrote nothing: " + last?.Errors.Split('\n')[0], null, null, null);
            }
            var kept = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".pdf");
            File.Move(output, kept);
            return new BridgeAnswer(true, null, null, null, kind == DocumentKind.ExcelXlsx ? "calc" : "writer", null) { Output = kept };
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static DocEngineException Refusal(BridgeAnswer answer, DetectedType type, string? password) => answer.Reason switch
    {
        "PASSWORD_REQUIRED" when string.IsNullOrEmpty(password) => new DocEngineException(ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED",
            $"This document is password-protected: save a copy without the password (or as PDF) and upload that, or give the password to convert it.") { Field = "password" },
        "PASSWORD_REQUIRED" or "WRONG_PASSWORD" => new DocEngineException(ErrorKind.InvalidArgument, "WRONG_PASSWORD",
            "That password does not open this document: check it (passwords are case-sensitive) and try again.") { Field = "password" },
        "TOO_MANY_PAGES" => new DocEngineException(ErrorKind.ResourceExhausted, "TOO_MANY_PAGES",
            $"This document has {answer.Pages} pages, more than this service converts: split it into smaller documents and upload them one by one."),
        _ => new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
            $"This file looks like {type.Description} but is damaged or incomplete, so it cannot be opened: open it in Word or LibreOffice and save it again (or ask the sender for a new copy), then upload that.")
        {
            Details = new Dictionary<string, string> { ["detected_media_type"] = type.MediaType, ["converter_message"] = answer.Detail ?? "" },
        },
    };

    /// <summary>What the person's file was, for "Converted from Word".</summary>
    private static string SourceName(DocumentKind kind, string? family) => kind switch
    {
        DocumentKind.WordDocx => "Word",
        DocumentKind.LegacyOffice => family == "calc" ? "Excel" : "Word",
        DocumentKind.ExcelXlsx => "Excel",
        DocumentKind.Rtf => "RTF",
        _ => "OpenDocument",
    };

    /// <summary>The extension LibreOffice's type detection sees: the file's own when it is an office one, else the kind's.</summary>
    private static string InputExtension(DocumentKind kind, string? fileName)
    {
        var own = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (own is ".doc" or ".docx" or ".docm" or ".dot" or ".dotx" or ".odt" or ".ott" or ".ods" or ".rtf" or ".xls" or ".xlsx" or ".xlsm")
        {
            return own;
        }
        return kind switch
        {
            DocumentKind.WordDocx => ".docx",
            DocumentKind.ExcelXlsx => ".xlsx",
            DocumentKind.OpenDocument => ".odt",
            DocumentKind.Rtf => ".rtf",
            _ => ".doc",
        };
    }

    private string? Probe()
    {
        if (!File.Exists(_options.SofficePath))
        {
            return $"LibreOffice is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui python3-uno";
        }
        if (!SandboxedProcess.CanIsolateNetwork)
        {
            return "it cannot run LibreOffice without network access here (no network namespace: run as root, or allow user namespaces)";
        }
        try
        {
            var start = SandboxedProcess.StartInfo(_options.PythonPath, ["-c", "import uno"], _root, new SandboxLimits(null, 30));
            using var process = Process.Start(start)!;
            return process.WaitForExit(30_000) && process.ExitCode == 0 ? null : "Python's UNO module is missing: apt-get install python3-uno";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{_options.PythonPath} is missing: apt-get install python3-uno";
        }
    }

    private string WriteBridge()
    {
        var path = Path.Combine(_root, "uno_bridge.py");
        using var script = typeof(OfficeConverter).Assembly.GetManifestResourceStream("DocEngine.Core.Conversion.uno_bridge.py")!;
        using var file = File.Create(path);
        script.CopyTo(file);
        return path;
    }

    /// <summary>A pool place: the listener it holds, or the start of one under way.</summary>
    private sealed class Slot
    {
        public Task<LibreOfficeListener>? Ready { get; set; }
    }
}

/// <summary>What a conversion made.</summary>
/// <param name="From">What the person's file was, in a word: "Word", "Excel", "OpenDocument" or "RTF".</param>
/// <param name="Pages">Pages LibreOffice laid out, when it said (Writer documents).</param>
/// <param name="Action">The sentence for the report.</param>
public sealed record OfficeConversion(string From, int? Pages, string Action);
