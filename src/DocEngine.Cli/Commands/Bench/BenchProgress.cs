using System.Globalization;
using DocEngine.Cli.Common;
using Spectre.Console;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// The live progress of a bench run on stderr, refreshed every second: a status line in a terminal, else one plain line
/// per second (a log or a CI job shows every line, and carriage returns would garble it).
/// </summary>
internal static class BenchProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Shows progress until <paramref name="run"/> ends, then returns its measured window.</summary>
    public static async Task<TimeSpan> ShowAsync(Task<TimeSpan> run, LoadGenerator load, LatencyRecorder recorder, BenchSettings settings, TextWriter stderr)
    {
        var console = Output.ProgressConsole(stderr);
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Status().StartAsync(Markup.Escape(Line(load, recorder, settings)), async context =>
            {
                while (await Task.WhenAny(run, Task.Delay(Interval)) != run)
                {
                    context.Status(Markup.Escape(Line(load, recorder, settings)));
                }
            });
        }
        else
        {
            while (await Task.WhenAny(run, Task.Delay(Interval)) != run)
            {
                await stderr.WriteLineAsync(Line(load, recorder, settings));
            }
        }
        return await run;
    }

    private static string Line(LoadGenerator load, LatencyRecorder recorder, BenchSettings settings)
    {
        if (load.WarmingUp)
        {
            return string.Create(CultureInfo.InvariantCulture, $"warming up, {load.WarmupLeft.TotalSeconds:0}s left (not counted)");
        }
        var (requests, errors, p50) = recorder.Snapshot();
        var seconds = load.Measured.TotalSeconds;
        var of = settings.Requests is { } total ? $"/{total}" : "";
        var limit = settings.Duration is { } duration ? string.Create(CultureInfo.InvariantCulture, $"/{duration.TotalSeconds:0.#}s") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{seconds:0}s{limit}: {requests}{of} requests, {errors} errors, {(seconds > 0 ? requests / seconds : 0):0.0} req/s, p50 {p50:0.0} ms");
    }
}
