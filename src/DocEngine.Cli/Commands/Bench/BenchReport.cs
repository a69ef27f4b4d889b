using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>The end-of-run report: the one JSON shape scripts read (issue 8), or a table for people.</summary>
internal static class BenchReport
{
    /// <summary>
    /// Exactly <c>{"requests": N, "errors": {"STATUS": N}, "throughput": {"requestsPerSecond": x, "megabytesPerSecond": x},
    /// "latencyMillis": {"p50": x, "p90": x, "p99": x, "max": x}}</c>, on one line, numbers rounded to 0.001.
    /// </summary>
    public static string ToJson(BenchResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("requests", result.Requests);
            json.WriteStartObject("errors");
            foreach (var (status, count) in result.Errors)
            {
                json.WriteNumber(status, count);
            }
            json.WriteEndObject();
            json.WriteStartObject("throughput");
            json.WriteNumber("requestsPerSecond", Round(result.RequestsPerSecond));
            json.WriteNumber("megabytesPerSecond", Round(result.MegabytesPerSecond));
            json.WriteEndObject();
            json.WriteStartObject("latencyMillis");
            json.WriteNumber("p50", Round(result.P50));
            json.WriteNumber("p90", Round(result.P90));
            json.WriteNumber("p99", Round(result.P99));
            json.WriteNumber("max", Round(result.Max));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The same numbers as a two-column table, headed by what was run.</summary>
    public static void WriteTable(BenchResult result, BenchSettings settings, int inputs, string url, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.Detect,
        });
        var until = settings.Duration is { } duration ? $"for {Seconds(duration)}" : $"for {settings.Requests} requests";
        var warmup = settings.Warmup > TimeSpan.Zero ? $" after a {Seconds(settings.Warmup)} warmup" : "";
        // A heading line rather than a table title: titles wrap to the table's width, which is narrow.
        stdout.WriteLine($"docengine bench {BenchInputs.Name(settings.Scenario)}: {settings.Concurrency} caller(s) {until}{warmup}, {inputs} input(s), {url}");
        var table = new Table()
            .AddColumn("Measure")
            .AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Requests", Number(result.Requests));
        table.AddRow("Errors", result.Errors.Count == 0
            ? "0"
            : Markup.Escape(string.Join(", ", result.Errors.Select(e => $"{e.Key} {Number(e.Value)}"))));
        table.AddRow("Measured for", Seconds(result.Elapsed));
        table.AddRow("Requests/s", Fixed(result.RequestsPerSecond, "0.0"));
        table.AddRow(settings.Scenario == BenchScenario.Preview ? "MB/s (previews received)" : "MB/s (inputs)", Fixed(result.MegabytesPerSecond, "0.00"));
        table.AddRow("Latency p50", Millis(result.P50));
        table.AddRow("Latency p90", Millis(result.P90));
        table.AddRow("Latency p99", Millis(result.P99));
        table.AddRow("Latency max", Millis(result.Max));
        console.Write(table);
    }

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Fixed(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Millis(double value) => Fixed(value, "0.0") + " ms";

    private static string Seconds(TimeSpan value) => Fixed(value.TotalSeconds, "0.0##") + " s";
}
