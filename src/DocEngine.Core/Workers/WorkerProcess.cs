using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using DocEngine.Core.Sandbox;

namespace DocEngine.Core.Workers;

/// <summary>
/// One worker process, started through <see cref="SandboxedProcess"/> (address-space and open-file limits, an empty
/// environment, no network), holding one job at a time. It is killed on a timeout or a cancel, and whatever ended it
/// is turned into the caller's sentence.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _requests;
    private readonly Stream _replies;
    private readonly Task _stderr;
    private readonly StringBuilder _stderrTail = new();
    private bool _stackOverflow;
    private bool _killedByUs;
    private volatile bool _busy;
    private long _nextId;

    private WorkerProcess(Process process)
    {
        _process = process;
        _requests = process.StandardInput.BaseStream;
        _replies = process.StandardOutput.BaseStream;
        _stderr = Task.Run(DrainStderrAsync);
    }

    /// <summary>Jobs this worker has finished.</summary>
    public int Jobs { get; private set; }

    /// <summary>True once the pool has started the worker that replaces this one when it retires.</summary>
    public bool SuccessorStarted { get; set; }

    /// <summary>False once the worker died, was killed, or is in an unknown state.</summary>
    public bool Healthy { get; private set; } = true;

    public int ProcessId => _process.Id;

    /// <summary>True while a job is on its way to the worker or being run there.</summary>
    public bool Busy => _busy;

    /// <summary>Starts a worker and waits until it says it is ready.</summary>
    public static async Task<WorkerProcess> StartAsync(WorkerOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        var worker = options.WorkerPath ?? Path.Combine(AppContext.BaseDirectory, "DocEngine.Worker.dll");
        if (!File.Exists(worker))
        {
            throw WorkerRefusals.CannotStart($"{worker} is missing");
        }
        var (host, root) = Dotnet();
        var environment = options.SandboxEnvironment();
        environment["DOTNET_ROOT"] = root;
        environment["DOTNET_gcServer"] = "0";
        environment["TMPDIR"] = workDirectory;
        if (options.WarmUp)
        {
            environment[WorkerHost.WarmUpVariable] = "1";
        }
        if (options.TestFaults)
        {
            environment[WorkerHost.TestFaultsVariable] = "1";
        }
        var start = SandboxedProcess.StartInfo(host, ["exec", worker], workDirectory, options.Limits(), environment, redirectInput: true);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw WorkerRefusals.CannotStart(e.Message);
        }
        var started = new WorkerProcess(process);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.StartTimeout);
            var hello = await WorkerProtocol.ReadAsync<WorkerReply>(started._replies, CancellationToken.None).WaitAsync(deadline.Token).ConfigureAwait(false);
            if (hello is not { Ready: true })
            {
                await started.ExitedAsync().ConfigureAwait(false);
                throw WorkerRefusals.CannotStart($"it ended at start: {started.Tail()}");
            }
            return started;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            started.Dispose();
            throw WorkerRefusals.CannotStart($"it did not start within {options.StartTimeout.TotalSeconds:0} seconds");
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="job"/>; the reply's result as JSON, or the refusal that stands for how it failed.</summary>
    public async Task<JsonElement> RunAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        var request = new WorkerRequest(++_nextId, job.GetType().AssemblyQualifiedName!, JsonSerializer.SerializeToElement(job, job.GetType(), WorkerProtocol.Json));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(job.TimeLimit());
        WorkerReply? reply;
        try
        {
            _busy = true;
            await WorkerProtocol.WriteAsync(_requests, request, deadline.Token).ConfigureAwait(false);
            reply = await WorkerProtocol.ReadAsync<WorkerReply>(_replies, CancellationToken.None).WaitAsync(deadline.Token).ConfigureAwait(false);
            _busy = false;
        }
        catch (OperationCanceledException)
        {
            Kill(); // the only way to stop a decoder mid-image; the pool starts a fresh worker
            cancellationToken.ThrowIfCancellationRequested();
            throw job.Timeout();
        }
        catch (IOException)
        {
            reply = null; // the pipe broke: it died
        }
        if (reply is null || reply.Id != request.Id)
        {
            Healthy = false;
            await ExitedAsync().ConfigureAwait(false);
            throw Death(job);
        }
        Jobs++;
        if (reply.Refusal is { } refusal)
        {
            if (refusal.Reason == WorkerRefusals.OutOfMemory().Reason || refusal.Reason.EndsWith("TIMEOUT", StringComparison.Ordinal))
            {
                Healthy = false; // it exits after an OutOfMemoryException; after a timeout the abandoned work may still be running
            }
            throw refusal.ToException();
        }
        if (reply.Failure is { } failure)
        {
            throw new WorkerJobException(failure);
        }
        return reply.Result ?? default;
    }

    /// <summary>What the worker's end means for the caller, from its exit status and what it printed.</summary>
    private DocEngineException Death(WorkerJob job)
    {
        var code = _process.HasExited ? _process.ExitCode : -1;
        if (_stackOverflow)
        {
            return WorkerRefusals.Crashed();
        }
        return WorkerRefusals.ForExit(code, Tail(), job.Timeout());
    }

    private async Task ExitedAsync()
    {
        try
        {
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token).ConfigureAwait(false);
            await _stderr.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    private async Task DrainStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_stderrTail)
                {
                    _stackOverflow |= line.Contains("Stack overflow", StringComparison.Ordinal);
                    if (_stderrTail.Length < 4096)
                    {
                        _stderrTail.AppendLine(line.Length > 300 ? line[..300] : line);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone.
        }
    }

    private string Tail()
    {
        lock (_stderrTail)
        {
            return _stderrTail.ToString();
        }
    }

    /// <summary>Kills the worker (and anything it started, such as mutool).</summary>
    public void Kill()
    {
        Healthy = false;
        _killedByUs = true;
        SandboxedProcess.KillTree(_process);
    }

    /// <summary>True when the worker ended because this process killed it.</summary>
    public bool KilledByUs => _killedByUs;

    public void Dispose()
    {
        if (Healthy && !_busy)
        {
            // Idle between jobs, so it started nothing that still runs: end it alone. Killing "the tree" walks every
            // process on the machine (/proc), which a one-shot command would pay for at exit.
            Healthy = false;
            _killedByUs = true;
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // It has exited already.
            }
        }
        else
        {
            Kill();
        }
        _process.Dispose();
    }

    /// <summary>The dotnet host running this process and its root, so the worker runs on the same runtime.</summary>
    private static (string Host, string Root) Dotnet()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return (self, Path.GetDirectoryName(self)!);
        }
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return (File.Exists(host) ? host : "dotnet", root);
    }
}
