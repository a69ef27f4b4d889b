using DocEngine.Cli.Common;
using DocEngine.Cli.Commands;
using DocEngine.Core.Sandbox;
using DocEngine.Core.Workers;

namespace DocEngine.Native;

/// <summary>
/// <c>docengine-native</c>: the offline one-shot commands of the <c>docengine</c> CLI compiled ahead of time, with the
/// CLI's sentences, exit codes, output and files: <c>verify INPUT</c> (<see cref="OneShotVerify"/>) and
/// <c>preview PDF --out DIR</c> (<see cref="OneShotPreview"/>). The process checks the arguments, then runs itself again
/// as a sandboxed child with the worker's limits (address space, open files, CPU time, a GC heap limit, no network),
/// which reads the file; the child's end is turned into the worker's sentences (a crash, out of memory, the time limit).
/// </summary>
internal static class OneShot
{
    /// <summary>The first argument of the sandboxed child (not for people).</summary>
    internal const string Child = "--sandboxed-child";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var child = args is [Child, ..];
        var command = child ? args[1..] : args;
        if (child && OneShotPreview.Tagged.IsFor(command))
        {
            // The preview child speaks through stdout only (Tagged): its stderr is the runtime's, for a crash.
            (stdout, stderr) = (new OneShotPreview.Tagged(stdout, OneShotPreview.Tagged.Output), new OneShotPreview.Tagged(stdout, OneShotPreview.Tagged.Error));
        }
        Func<Task<int>>? run = (LocalVerify.FromArguments(command), LocalPreview.FromArguments(command)) switch
        {
            ({ } verify, _) => () => child ? OneShotVerify.CheckAsync(verify, stdout) : OneShotVerify.SuperviseAsync(verify, command, stdout, stderr),
            (_, { } preview) => () => child ? OneShotPreview.DrawAsync(preview, stdout, stderr) : OneShotPreview.SuperviseAsync(preview, command, stdout, stderr),
            _ => null,
        };
        if (!child && (run is null || Environment.GetEnvironmentVariable("DOCENGINE_NATIVE") == "0") && FrontDoor.Cli() is { } cli)
        {
            return await FrontDoor.HandToCliAsync(cli, args, stderr);
        }
        if (!child && run is not null && Environment.GetEnvironmentVariable("DOCENGINE_DEBUG") == "1")
        {
            await stderr.WriteLineAsync($"docengine: this {args[0]} runs in {Environment.ProcessPath}, compiled ahead of time (DOCENGINE_NATIVE=0 runs it in .NET).");
        }
        if (run is null)
        {
            await stderr.WriteLineAsync("docengine-native runs `docengine verify FILE` and `docengine preview FILE.pdf --out DIR` for the docengine command: run `docengine verify --help` or `docengine preview --help` for their usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await run();
        }
        catch (CliFailure failure)
        {
            await stderr.WriteLineAsync(failure.Message);
            return failure.ExitCode;
        }
        catch (DocEngineException refusal)
        {
            await stderr.WriteLineAsync(refusal.Message);
            return CliFailure.From(refusal).ExitCode;
        }
        catch (OutOfMemoryException) when (child)
        {
            // The GC's heap limit: said as the worker says it.
            await stderr.WriteLineAsync(WorkerRefusals.OutOfMemory().Message);
            return ExitCodes.Refused;
        }
        catch (InsufficientExecutionStackException) when (child)
        {
            // Nesting deeper than the stack allows: said as the worker says it.
            await stderr.WriteLineAsync(WorkerRefusals.Crashed().Message);
            return ExitCodes.Refused;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await stderr.WriteLineAsync($"docengine failed unexpectedly ({e.GetType().Name}: {e.Message.Split('\n')[0]}). Please report it with the command you ran.");
            return ExitCodes.Other;
        }
    }

    /// <summary>
    /// The parent: runs this program again as the sandboxed child on <paramref name="command"/>, within
    /// <paramref name="timeLimit"/> of wall-clock time (and twice that + 5 s of the kernel's CPU time, as a worker sets it
    /// before each job), and passes on what it prints: collected, or line by line through <paramref name="onOutputLine"/>.
    /// A child that ended by a signal or a limit, or failed without a sentence, gives the worker's sentence instead.
    /// </summary>
    public static async Task<int> SuperviseAsync(string[] command, TimeSpan timeLimit, DocEngineException timeout, TextWriter stdout, TextWriter stderr,
        Func<string, Task<bool>>? onOutputLine = null)
    {
        var workers = new WorkerOptions();
        var environment = workers.SandboxEnvironment();
        var (program, arguments) = Self(command, environment);
        var limits = workers.Limits() with { CpuSeconds = (int)Math.Ceiling(timeLimit.TotalSeconds * 2 + 5) };
        // No network: the child starts in a namespace of its own made on a thread here (SandboxedProcess.StartWithoutNetwork).
        var start = SandboxedProcess.StartInfo(program, arguments, Environment.CurrentDirectory, limits with { NoNetwork = false }, environment);
        // Ctrl-C stops the child (in the same process group, it gets it too) and says so, as the CLI does.
        using var interrupted = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });
        var saidWhy = false;
        SandboxResult result;
        try
        {
            result = await SandboxedProcess.RunToEndAsync(start, timeLimit, interrupted.Token,
                onOutputLine is null ? null : async line => saidWhy |= await onOutputLine(line), withoutNetwork: limits.NoNetwork);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("Interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            throw timeout;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw WorkerRefusals.CannotStart(e.Message);
        }
        // The child ended by itself, having done the work or said why not (collected: on its stderr; relayed: in a tagged line).
        if (result.ExitCode is ExitCodes.Ok
            || (result.ExitCode is ExitCodes.Other or ExitCodes.Usage or ExitCodes.Refused && (onOutputLine is null ? result.Errors.Length > 0 : saidWhy)))
        {
            if (onOutputLine is null)
            {
                await stdout.WriteAsync(result.Output);
                await stderr.WriteAsync(result.Errors);
            }
            return result.ExitCode;
        }
        throw WorkerRefusals.ForExit(result.ExitCode, result.Errors[Math.Max(0, result.Errors.Length - 2000)..], timeout);
    }

    /// <summary>
    /// How to run this program again as the child: the same executable, or for a plain build run by <c>dotnet</c> (as
    /// the tests run it) <c>dotnet exec</c> of this assembly on the same runtime.
    /// </summary>
    private static (string Program, string[] Arguments) Self(string[] command, Dictionary<string, string> environment)
    {
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) != "dotnet")
        {
            return (self, [Child, .. command]);
        }
        environment["DOTNET_ROOT"] = Path.GetDirectoryName(self)!;
        return (self, ["exec", Path.Combine(AppContext.BaseDirectory, "docengine-native.dll"), Child, .. command]);
    }
}
