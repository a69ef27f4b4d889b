namespace DocEngine.Benchmarks;

/// <summary>
/// How the one-shot rows start <c>docengine</c>: the installed .NET tool named by <c>DOCENGINE_CLI</c> (what
/// <c>benchmarks/compare.sh</c> packs and installs, ahead-of-time compiled, as a user would run it), else the Release
/// build through <c>dotnet docengine.dll</c>.
/// </summary>
internal static class OneShotCli
{
    private static readonly string? Installed = Environment.GetEnvironmentVariable("DOCENGINE_CLI") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    private static string Build => Path.Combine(UploadEndToEnd.FindRepository(), "src/DocEngine.Cli/bin/Release/net10.0/docengine.dll");

    /// <summary>Whether the CLI to run is there.</summary>
    public static bool Exists => File.Exists(Installed ?? Build);

    /// <summary>What runs, for messages and tables.</summary>
    public static string Describe => Installed is null ? "the Release build (`dotnet docengine.dll`)" : "the installed tool";

    /// <summary>
    /// How a command that <c>docengine-native</c> runs itself starts, for tables: the installed tool's command is that
    /// native program (when it was packed with it), the Release build is .NET.
    /// </summary>
    public static string NativeStart => Installed is null
        ? "the Release build (`dotnet docengine.dll`), .NET start-up included"
        : "the installed tool: its native command `docengine-native` and a sandboxed child, start-up included";

    /// <summary>How a command the CLI runs starts, for tables.</summary>
    public static string CliStart => Installed is null
        ? "the Release build (`dotnet docengine.dll`), .NET start-up included"
        : "the installed tool: its native command hands it to the CLI on .NET, start-up included";

    /// <summary>The program and arguments that run <c>docengine</c> with <paramref name="arguments"/>.</summary>
    public static (string Program, string[] Arguments) Command(params string[] arguments) =>
        Installed is { } tool ? (tool, arguments) : ("dotnet", [Build, .. arguments]);

    /// <summary>Milliseconds one run takes, start to exit; a failure throws with its stderr.</summary>
    public static async Task<double> TimeAsync(params string[] arguments)
    {
        var (program, all) = Command(arguments);
        return await ProcessVersusVips.TimeAsync(program, all);
    }
}
