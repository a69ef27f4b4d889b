using Google.Protobuf;
using Spectre.Console;

namespace DocEngine.Cli.Common;

/// <summary>stdout carries results (proto3 JSON with --json); stderr carries progress and messages.</summary>
internal static class Output
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    /// <summary>A path as a hint shows it: relative to the current directory when it is below it, else in full.</summary>
    public static string PathForHint(string fullPath) =>
        Path.GetRelativePath(Environment.CurrentDirectory, fullPath) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : fullPath;

    /// <summary>A path or word as a POSIX shell reads it back unchanged: bare when it is plain, in single quotes otherwise.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '=' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The proto3 canonical JSON of <paramref name="message"/> on one line.</summary>
    public static string ToJson(IMessage message) => Json.Format(message);

    /// <summary>A Spectre console that renders on <paramref name="stderr"/>.</summary>
    public static IAnsiConsole ProgressConsole(TextWriter stderr) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stderr),
        Interactive = InteractionSupport.Detect,
        Ansi = AnsiSupport.Detect,
    });

    /// <summary>A progress display with bytes, speed and time left.</summary>
    public static Progress ByteProgress(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(
            new TaskDescriptionColumn(),
            new ProgressBarColumn(),
            new PercentageColumn(),
            new DownloadedColumn(),
            new TransferSpeedColumn(),
            new RemainingTimeColumn());
}
