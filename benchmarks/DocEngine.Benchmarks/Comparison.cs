using System.Globalization;
using System.Text.Json;

namespace DocEngine.Benchmarks;

/// <summary>
/// One work item of a side-by-side run, machine-readable, as <c>--summary-json FILE</c> writes it for
/// <c>benchmarks/compare.sh</c>: both figures in one unit, their ratio (DocEngine ÷ peer) and whether DESIGN.md's first
/// bar and moonshot are met. The verbs' human tables stay as they were; this is what the comparison table is made of.
/// </summary>
/// <param name="Work">What was done, on which input.</param>
/// <param name="Peer">The tool beside it.</param>
/// <param name="DocEngine">DocEngine's figure.</param>
/// <param name="PeerFigure">The peer's figure.</param>
/// <param name="Unit">The figures' unit ("ms", "MB/s").</param>
/// <param name="Ratio">DocEngine ÷ peer, to two decimals, which is what the bars are judged on (a geometric mean of per-file ratios where the work says so).</param>
/// <param name="Bar">DESIGN.md's first bar, as written there.</param>
/// <param name="BarMet">Whether it is met.</param>
/// <param name="Moonshot">DESIGN.md's moonshot.</param>
/// <param name="MoonshotMet">Whether it is met.</param>
/// <param name="Note">What else decides the verdict (bytes, SSIM, verdicts, memory), in a few words.</param>
internal sealed record ComparisonRow(string Work, string Peer, double DocEngine, double PeerFigure, string Unit, double Ratio,
    string Bar, bool BarMet, string Moonshot, bool MoonshotMet, string Note = "")
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A time (lower is better) against bars on the ratio: met when the ratio is at most <paramref name="bar"/>; <paramref name="also"/> must hold too.</summary>
    public static ComparisonRow Time(string work, string peer, double ours, double theirs, double bar, double moonshot, string note = "", bool also = true, double? ratio = null)
    {
        var r = Math.Round(ratio ?? ours / theirs, 2); // judged as printed: a 0.90× is not "not met" against ≤ 0.9×
        return new ComparisonRow(work, peer, ours, theirs, "ms", r, Invariant($"≤ {bar:0.0#}× its time"), also && r <= bar,
            Invariant($"≤ {moonshot:0.0#}×"), also && r <= moonshot, note);
    }

    /// <summary>A throughput (higher is better): met when the ratio is at least <paramref name="bar"/>.</summary>
    public static ComparisonRow Throughput(string work, string peer, double ours, double theirs, string unit, double bar, double moonshot, string note = "")
    {
        var r = Math.Round(ours / theirs, 2);
        return new ComparisonRow(work, peer, ours, theirs, unit, r, Invariant($"≥ {bar:0.0#}× its {unit}"), r >= bar, Invariant($"≥ {moonshot:0.0#}×"), r >= moonshot, note);
    }

    /// <summary>Removes <c>--summary-json FILE</c> from <paramref name="args"/>, so each verb parses the rest as it always has.</summary>
    public static (string? Path, string[] Others) TakeSummaryOption(string[] args)
    {
        var at = Array.IndexOf(args, "--summary-json");
        if (at < 0)
        {
            return (null, args);
        }
        if (at + 1 >= args.Length)
        {
            throw new ArgumentException("--summary-json needs a file name.");
        }
        return (Path.GetFullPath(args[at + 1]), [.. args[..at], .. args[(at + 2)..]]);
    }

    /// <summary>Writes <paramref name="rows"/> as a JSON array to <paramref name="path"/>; nothing when it is null.</summary>
    public static void Write(string? path, IEnumerable<ComparisonRow> rows)
    {
        if (path is not null)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(rows.ToList(), Json));
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static IReadOnlyList<ComparisonRow> Read(string path) => JsonSerializer.Deserialize<List<ComparisonRow>>(File.ReadAllText(path), Json) ?? [];

    /// <summary>Three significant digits, at most: 1234, 152, 41.7, 3.24.</summary>
    public static string Figure(double value) => Invariant(Math.Abs(value) switch
    {
        >= 100 => $"{value:N0}",
        >= 10 => $"{value:F1}",
        _ => $"{value:F2}",
    });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
