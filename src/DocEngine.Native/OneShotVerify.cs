using DocEngine.Cli.Common;
using DocEngine.Cli.Commands;
using DocEngine.Contract.V1;
using DocEngine.Core.Sandbox;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;

namespace DocEngine.Native;

/// <summary>
/// <c>docengine-native verify INPUT [--trust PEM]... [--password P] [--content FILE] [--json]</c>: what
/// <c>docengine verify</c> does offline, with the same sentences, exit codes and output. The process checks the
/// arguments, then runs itself again as a sandboxed child with the worker's limits (address space, open files, CPU time,
/// a GC heap limit, no network), which reads the file and prints the report; the child's end is turned into the worker's
/// sentences (a crash, out of memory, the time limit).
/// </summary>
internal static class OneShotVerify
{
    /// <summary>The first argument of the sandboxed child (not for people).</summary>
    internal const string Child = "--sandboxed-child";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var child = args is [Child, ..];
        if (LocalVerify.FromArguments(child ? args[1..] : args) is not { } verify)
        {
            await stderr.WriteLineAsync("docengine-native runs `docengine verify FILE` for the docengine command: run `docengine verify --help` for its usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return child ? await CheckAsync(verify, stdout) : await SuperviseAsync(verify, args, stdout, stderr);
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

    /// <summary>The child: the same job a worker runs for the CLI, and the report printed.</summary>
    private static async Task<int> CheckAsync(LocalVerify verify, TextWriter stdout)
    {
        var signed = verify.SignedFile();
        var job = VerifySignaturesJob.For(verify.File.FullName, signed?.FullName, signed is null ? verify.Password : null, verify.Anchors(), new SignatureOptions());
        var check = await job.ExecuteAsync(new WorkerContext(), CancellationToken.None);
        await stdout.WriteLineAsync(LocalVerify.Render(verify.File, check.Report!.ToProto(), verify.Json));
        return ExitCodes.Ok;
    }

    /// <summary>The parent: the checks that need no reading of the file, then the child within the job's time limit.</summary>
    private static async Task<int> SuperviseAsync(LocalVerify verify, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var signed = verify.SignedFile();
        var options = new SignatureOptions();
        LocalVerify.CheckSize(verify.File, signed, options);
        var job = VerifySignaturesJob.For(verify.File.FullName, signed?.FullName, verify.Password, verify.Anchors(), options);
        var workers = new WorkerOptions();
        var environment = workers.SandboxEnvironment();
        var (program, arguments) = Self(args, environment);
        // The kernel's CPU-time limit, as a worker sets it before each job (SIGXCPU past it).
        var limits = workers.Limits() with { CpuSeconds = (int)Math.Ceiling(job.TimeLimit().TotalSeconds * 2 + 5) };
        var start = SandboxedProcess.StartInfo(program, arguments, Environment.CurrentDirectory, limits, environment);
        // Ctrl-C stops the check (the child, in the same process group, gets it too) and says so, as the CLI does.
        using var interrupted = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });
        SandboxResult result;
        try
        {
            result = await SandboxedProcess.RunToEndAsync(start, job.TimeLimit(), interrupted.Token);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("Interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            throw job.Timeout();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw WorkerRefusals.CannotStart(e.Message);
        }
        if (result.ExitCode is ExitCodes.Ok or ExitCodes.Other or ExitCodes.Usage or ExitCodes.Refused && (result.ExitCode == ExitCodes.Ok || result.Errors.Length > 0))
        {
            await stdout.WriteAsync(result.Output);
            await stderr.WriteAsync(result.Errors);
            return result.ExitCode;
        }
        throw WorkerRefusals.ForExit(result.ExitCode, result.Errors[Math.Max(0, result.Errors.Length - 2000)..], job.Timeout());
    }

    /// <summary>
    /// How to run this program again as the child: the same executable, or for a plain build run by <c>dotnet</c> (as
    /// the tests run it) <c>dotnet exec</c> of this assembly on the same runtime.
    /// </summary>
    private static (string Program, string[] Arguments) Self(string[] args, Dictionary<string, string> environment)
    {
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) != "dotnet")
        {
            return (self, [Child, .. args]);
        }
        environment["DOTNET_ROOT"] = Path.GetDirectoryName(self)!;
        return (self, ["exec", Path.Combine(AppContext.BaseDirectory, "docengine-native.dll"), Child, .. args]);
    }
}
