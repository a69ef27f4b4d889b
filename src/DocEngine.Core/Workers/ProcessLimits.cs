using System.Runtime.InteropServices;

namespace DocEngine.Core.Workers;

/// <summary>The worker's own kernel CPU-time limit (RLIMIT_CPU), moved before each job: a soft limit past which the kernel sends SIGXCPU.</summary>
internal static partial class ProcessLimits
{
    private const int RlimitCpu = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);

    /// <summary>Lets this process use <paramref name="seconds"/> more CPU time from now (never above the hard limit).</summary>
    public static void AllowCpuSeconds(double seconds)
    {
        if (!OperatingSystem.IsLinux() || GetRlimit(RlimitCpu, out var limit) != 0)
        {
            return;
        }
        var used = Environment.CpuUsage.TotalTime.TotalSeconds;
        limit.Current = Math.Min(limit.Maximum, (ulong)Math.Ceiling(used + seconds));
        SetRlimit(RlimitCpu, limit);
    }
}
