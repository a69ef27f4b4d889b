using System.Globalization;
using System.Text.RegularExpressions;
using DocEngine.Cli.Common;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>What a bench run exercises: one request of each is one RPC, except <see cref="Mixed"/>, which is the portal's four-step sequence.</summary>
internal enum BenchScenario
{
    Upload,
    Process,
    Preview,
    Verify,
    Mixed,
}

/// <summary>
/// How hard and how long a bench run drives the server: <see cref="Concurrency"/> callers, stopping after <see cref="Duration"/>
/// or after <see cref="Requests"/> counted requests (exactly one of the two), not counting what starts during <see cref="Warmup"/>.
/// </summary>
internal sealed partial record BenchSettings(
    BenchScenario Scenario, int Concurrency, TimeSpan? Duration, long? Requests, TimeSpan Warmup, string Pages, int Width)
{
    /// <summary>Checks the options as typed; every problem is a usage error (exit 2) with the sentence to fix it.</summary>
    public static BenchSettings Parse(BenchScenario scenario, int concurrency, string? duration, long? requests, string warmup, string pages, int width)
    {
        if (concurrency < 1)
        {
            throw Usage($"--concurrency must be at least 1, not {concurrency}.");
        }
        if ((duration is null) == (requests is null))
        {
            throw Usage("Give exactly one of --duration (e.g. 30s) or --requests (e.g. 1000).");
        }
        TimeSpan? length = null;
        if (duration is not null)
        {
            length = TryParseDuration(duration, out var parsed) && parsed > TimeSpan.Zero
                ? parsed
                : throw Usage($"--duration takes a time such as 30s, 2m or 500ms, not '{duration}'.");
        }
        if (requests is < 1)
        {
            throw Usage($"--requests must be at least 1, not {requests}.");
        }
        if (!TryParseDuration(warmup, out var warm))
        {
            throw Usage($"--warmup takes a time such as 5s or 0s, not '{warmup}'.");
        }
        if (width < 1)
        {
            throw Usage($"--width must be a number of pixels such as 1000, not {width}.");
        }
        return new BenchSettings(scenario, concurrency, length, requests, warm, pages, width);
    }

    /// <summary>Parses "500ms", "30s", "2m", "1h" or "1.5s"; a bare number is refused because its unit would be a guess.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var milliseconds = number * match.Groups[2].Value.ToLowerInvariant() switch
        {
            "ms" => 1d,
            "s" => 1_000d,
            "m" => 60_000d,
            _ => 3_600_000d,
        };
        if (milliseconds > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    private static CliFailure Usage(string message) => new(ExitCodes.Usage, message);

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
