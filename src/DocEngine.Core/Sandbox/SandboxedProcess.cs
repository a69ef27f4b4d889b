using System.Diagnostics;

namespace DocEngine.Core.Sandbox;

/// <summary>
/// What a child process that reads untrusted input may use. Limits are kernel limits (<c>prlimit</c>): a process that
/// breaches one is stopped by the kernel, not by us, so a stuck or hostile parser cannot take the node down.
/// </summary>
/// <param name="AddressSpaceBytes">RLIMIT_AS: most virtual memory; null for none.</param>
/// <param name="CpuSeconds">RLIMIT_CPU: most CPU time, after which the kernel kills it; null for none.</param>
/// <param name="OpenFiles">RLIMIT_NOFILE: most open files at once; null for the inherited limit.</param>
/// <param name="NoNetwork">Run in a network namespace of its own (only a loopback that is down), where the platform allows.</param>
public sealed record SandboxLimits(long? AddressSpaceBytes, int? CpuSeconds, int? OpenFiles = null, bool NoNetwork = false);

/// <summary>How a child process ended: its exit code and what it printed.</summary>
public sealed record SandboxResult(int ExitCode, string Output, string Errors);

/// <summary>
/// Starts child processes for untrusted work: no shell, an empty environment (nothing of ours — keys, paths — reaches
/// them) apart from what the caller names, kernel limits through <c>prlimit</c>, and optionally no network through a
/// network namespace (<c>unshare --net</c>, as root or in a user namespace). Used for mutool, and for every converter
/// and worker that parses what applicants send.
/// </summary>
public static partial class SandboxedProcess
{
    private const string Prlimit = "/usr/bin/prlimit";
    private const string Unshare = "/usr/bin/unshare";
    private static readonly Lazy<string[]?> NetworkIsolation = new(ProbeNetworkIsolation);

    /// <summary>Where a child looks for programs named without a folder (its PATH).</summary>
    private const string SearchPath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>The file a child runs for <paramref name="program"/> (a path, or a name looked up as the child would), or null when there is none.</summary>
    public static string? Find(string program) =>
        program.Contains('/')
            ? File.Exists(program) ? program : null
            : SearchPath.Split(':').Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    /// <summary>True when child processes can be started without network access on this machine.</summary>
    public static bool CanIsolateNetwork => NetworkIsolation.Value is not null;

    /// <summary>
    /// A start description for <paramref name="executable"/> with <paramref name="arguments"/> under
    /// <paramref name="limits"/>; stdout and stderr are redirected, stdin too when <paramref name="redirectInput"/>.
    /// </summary>
    public static ProcessStartInfo StartInfo(string executable, IEnumerable<string> arguments, string workingDirectory, SandboxLimits limits,
        IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var command = new List<string>();
        if (limits.NoNetwork && NetworkIsolation.Value is { } isolation)
        {
            command.AddRange(isolation);
        }
        if (File.Exists(Prlimit) && (limits.AddressSpaceBytes is not null || limits.CpuSeconds is not null || limits.OpenFiles is not null))
        {
            command.Add(Prlimit);
            if (limits.AddressSpaceBytes is { } addressSpace)
            {
                command.Add($"--as={addressSpace}");
            }
            if (limits.CpuSeconds is { } cpu)
            {
                command.Add($"--cpu={cpu}");
            }
            if (limits.OpenFiles is { } files)
            {
                command.Add($"--nofile={files}");
            }
            command.Add("--");
        }
        command.Add(executable);
        return Create(command.Concat(arguments).ToList(), workingDirectory,
            (environment ?? new Dictionary<string, string>()).Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)), redirectInput);
    }

    /// <summary>The start description of <paramref name="command"/> (program, then arguments): no shell, stdout and stderr redirected, only the named environment (and PATH).</summary>
    private static ProcessStartInfo Create(IReadOnlyList<string> command, string workingDirectory, IEnumerable<KeyValuePair<string, string?>> environment,
        bool redirectInput)
    {
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            WorkingDirectory = workingDirectory,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = SearchPath;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>
    /// Runs a process to its end within <paramref name="limit"/>, collecting what it prints; with
    /// <paramref name="onOutputLine"/>, each line of its stdout goes there as it comes (and <see cref="SandboxResult.Output"/>
    /// is empty). On timeout or cancel the whole process tree is killed and <see cref="OperationCanceledException"/> is
    /// thrown (the caller turns a timeout into its own sentence).
    /// </summary>
    public static async Task<SandboxResult> RunToEndAsync(ProcessStartInfo start, TimeSpan limit, CancellationToken cancellationToken,
        Func<string, Task>? onOutputLine = null, bool withoutNetwork = false)
    {
        using var process = withoutNetwork ? StartWithoutNetwork(start) : Process.Start(start)!;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            var output = "";
            if (onOutputLine is null)
            {
                output = await process.StandardOutput.ReadToEndAsync(deadline.Token).ConfigureAwait(false);
            }
            else
            {
                while (await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
                {
                    await onOutputLine(line).ConfigureAwait(false);
                }
            }
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return new SandboxResult(process.ExitCode, output, await errors.ConfigureAwait(false));
        }
        finally
        {
            KillTree(process);
        }
    }

    /// <summary>Lowers a started process's CPU priority (nice 10), which what it execs keeps; a process already gone is left be.</summary>
    public static void Lower(Process process)
    {
        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It has exited already, or the platform refuses: the pages are drawn at normal priority.
        }
    }

    /// <summary>Kills the process and everything it started, if it is still running.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>
    /// Starts <paramref name="start"/> (from <see cref="StartInfo"/> without <see cref="SandboxLimits.NoNetwork"/>) in a
    /// network namespace of its own: as root, from a thread of this process that has just moved into a new one (a
    /// process inherits the namespaces of the thread that starts it, and the thread then ends), so no <c>unshare</c>
    /// program runs first; otherwise through <c>unshare</c> as <see cref="StartInfo"/> does; where neither works here,
    /// as it is.
    /// </summary>
    public static Process StartWithoutNetwork(ProcessStartInfo start)
    {
        if (Environment.IsPrivilegedProcess && InNewNetworkNamespace(() => Process.Start(start)!) is { } started)
        {
            return started;
        }
        if (NetworkIsolation.Value is not { } isolation)
        {
            return Process.Start(start)!;
        }
        return Process.Start(Create([.. isolation, start.FileName, .. start.ArgumentList], start.WorkingDirectory, start.Environment, start.RedirectStandardInput))!;
    }

    private const int NewNetworkNamespace = 0x40000000; // CLONE_NEWNET

    /// <summary>
    /// Runs <paramref name="then"/> on a thread of this process that has just moved into a network namespace of its own
    /// (until a process starts in it, the namespace is the thread's alone; the thread then ends), and gives its result;
    /// null when the kernel refuses the move. What <paramref name="then"/> throws is thrown here.
    /// </summary>
    private static T? InNewNetworkNamespace<T>(Func<T> then) where T : class
    {
        T? result = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (UnshareThread(NewNetworkNamespace) == 0)
                {
                    result = then();
                }
            }
            catch (Exception e)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }) { IsBackground = true, Name = "network namespace" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int UnshareThread(int flags);

    /// <summary>The command prefix that gives a child its own network namespace here, or null when none works.</summary>
    private static string[]? ProbeNetworkIsolation()
    {
        if (!File.Exists(Unshare))
        {
            return null;
        }
        // As root, the system call unshare(1) makes, tried on a thread that then ends (until a process starts in it, a
        // network namespace is the thread's alone): no process is started for it, which a one-shot command would wait for.
        if (Environment.IsPrivilegedProcess && InNewNetworkNamespace(() => Unshare) is not null)
        {
            return [Unshare, "--net", "--"];
        }
        // As root a plain network namespace; otherwise one inside a user namespace, where unprivileged ones are allowed.
        foreach (var prefix in new[] { new[] { Unshare, "--net", "--" }, new[] { Unshare, "--user", "--map-root-user", "--net", "--" } })
        {
            try
            {
                var probe = new ProcessStartInfo(prefix[0]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var argument in prefix.Skip(1).Append("/bin/true"))
                {
                    probe.ArgumentList.Add(argument);
                }
                using var process = Process.Start(probe)!;
                if (process.WaitForExit(5000) && process.ExitCode == 0)
                {
                    return prefix;
                }
                KillTree(process);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
        return null;
    }
}
