using Google.Protobuf;
using Spectre.Console;

namespace DocEngine.Cli.Common;

/// <summary>stdout carries results (proto3 JSON with --json); stderr carries progress and messages.</summary>
internal static class Output
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

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
