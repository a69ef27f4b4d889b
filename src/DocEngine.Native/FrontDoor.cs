using DocEngine.Cli.Common;

namespace DocEngine.Native;

/// <summary>
/// The installed tool's command is this program (README "Install the CLI"): a command line it runs itself starts with no
/// .NET runtime to load, and every other one is handed, before anything is written, to the CLI's own executable beside
/// it (<c>docengine</c>, which runs <c>docengine.dll</c> on the installed .NET runtime), as is everything under
/// <c>DOCENGINE_NATIVE=0</c>. The CLI never hands those back (its <c>NativeHelper</c> reads the same command lines).
/// </summary>
internal static class FrontDoor
{
    /// <summary>The CLI's executable beside this program, or null when this program runs alone (a published helper).</summary>
    public static string? Cli() =>
        OperatingSystem.IsWindows() || Path.Combine(AppContext.BaseDirectory, "docengine") is not { } cli || !File.Exists(cli) ? null : cli;

    /// <summary>Becomes the CLI on <paramref name="args"/>; returns only when it cannot start, having said why.</summary>
    public static async Task<int> HandToCliAsync(string cli, string[] args, TextWriter stderr)
    {
        if (Environment.GetEnvironmentVariable("DOCENGINE_DEBUG") == "1")
        {
            await stderr.WriteLineAsync($"docengine: this {(args.Length > 0 ? args[0] : "command")} runs in .NET ({cli}).");
        }
        var reason = ProcessImage.Replace(cli, args);
        await stderr.WriteLineAsync($"docengine could not start its .NET part ({cli}: {reason}): reinstall the tool (README \"Install the CLI\").");
        return ExitCodes.Other;
    }
}
