using DocEngine.Cli.Commands;

namespace DocEngine.Cli.Common;

/// <summary>
/// The ahead-of-time compiled helper (<c>src/DocEngine.Native</c>) that <c>dotnet pack</c> puts beside the CLI when this
/// machine can compile it: an offline <c>docengine verify</c> of a local file, or <c>docengine preview</c> of a local
/// PDF, is handed to it before anything else of the CLI loads, so the command starts like a native tool (issue 18).
/// Without the helper, with <c>DOCENGINE_NATIVE=0</c>, or for any other command line, the CLI runs the command itself,
/// with the same output. (The installed tool's command is the helper itself, which hands every other command line to
/// the CLI; this hand-off serves the CLI started any other way, as <c>dotnet docengine.dll</c>.)
/// </summary>
internal static class NativeHelper
{
    public const string FileName = "docengine-native";

    /// <summary>Replaces this process with the helper when it runs the command, so this returns only when the CLI runs it.</summary>
    public static void HandOff(string[] args)
    {
        if (OperatingSystem.IsWindows() || (LocalVerify.FromArguments(args) is null && LocalPreview.FromArguments(args) is null)
            || Environment.GetEnvironmentVariable("DOCENGINE_NATIVE") == "0"
            || Path.Combine(AppContext.BaseDirectory, FileName) is not { } helper || !File.Exists(helper))
        {
            return;
        }
        try
        {
            // A NuGet package keeps no file modes: the installed tool's helper may need its execute bit once.
            var mode = File.GetUnixFileMode(helper);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(helper, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
            // The helper takes this process's place (exec): nothing of the CLI has been written or started yet. It says
            // so under DOCENGINE_DEBUG=1. This returns only when the helper cannot run here: the CLI runs the command itself.
            ProcessImage.Replace(helper, args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Its mode cannot be set (a read-only install): the CLI runs the command itself.
        }
    }
}
