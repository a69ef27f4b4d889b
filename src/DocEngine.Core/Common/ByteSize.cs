using System.Globalization;
using System.Text.RegularExpressions;

namespace DocEngine.Core.Common;

/// <summary>Sizes as people write them: plain bytes, SI units (4MB = 4 000 000) or IEC units (4MiB = 4 194 304).</summary>
public static partial class ByteSize
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a size.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var multiplier = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1m,
            "KB" => 1e3m,
            "MB" => 1e6m,
            "GB" => 1e9m,
            "KIB" => 1024m,
            "MIB" => 1024m * 1024,
            "GIB" => 1024m * 1024 * 1024,
            _ => 0m,
        };
        var value = number * multiplier;
        if (multiplier == 0 || value > long.MaxValue || value != decimal.Truncate(value))
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary>A size as a person reads it: "812 bytes", "93.4 KB", "3.82 MB" (SI units, as portals state their limits).</summary>
    public static string Describe(long bytes) => bytes switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.##} MB"),
    };

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$")]
    private static partial Regex Pattern();
}
