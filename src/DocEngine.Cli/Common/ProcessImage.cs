using System.Runtime.InteropServices;

namespace DocEngine.Cli.Common;

/// <summary>
/// <c>execv</c>: this process becomes another program, with the same process id, streams, environment and exit code
/// as seen by whoever started it. The hand-offs between the CLI and its ahead-of-time compiled front door
/// (<c>NativeHelper</c>, <c>src/DocEngine.Native</c>) use it before either has written or started anything.
/// </summary>
internal static partial class ProcessImage
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in this process's place; returns only when it cannot, with the system's reason.</summary>
    public static string Replace(string program, IReadOnlyList<string> args)
    {
        Exec(program, [program, .. args, null]);
        return Marshal.GetLastPInvokeErrorMessage();
    }

    [LibraryImport("libc", EntryPoint = "execv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Exec(string path, string?[] argv);
}
