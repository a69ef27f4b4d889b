using System.Text;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>compare-table --readme FILE --stamp TEXT SUMMARY.json...</c>: renders the rows the side-by-side verbs wrote into
/// one Markdown table and puts it, with the stamp, between <c>&lt;!-- compare:begin --&gt;</c> and
/// <c>&lt;!-- compare:end --&gt;</c> in FILE, leaving the rest of the file as it was. Used by <c>benchmarks/compare.sh</c>.
/// </summary>
internal static class ComparisonTable
{
    private const string Begin = "<!-- compare:begin -->";
    private const string End = "<!-- compare:end -->";

    public static int Write(string[] args)
    {
        string? readme = null, stamp = null;
        var summaries = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--readme" when i + 1 < args.Length:
                    readme = args[++i];
                    break;
                case "--stamp" when i + 1 < args.Length:
                    stamp = args[++i];
                    break;
                default:
                    summaries.Add(args[i]);
                    break;
            }
        }
        if (readme is null || stamp is null || summaries.Count == 0)
        {
            Console.Error.WriteLine("Usage: compare-table --readme FILE --stamp TEXT SUMMARY.json...");
            return 2;
        }
        var text = File.ReadAllText(readme);
        var (begin, end) = (text.IndexOf(Begin, StringComparison.Ordinal), text.IndexOf(End, StringComparison.Ordinal));
        if (begin < 0 || end < begin)
        {
            Console.Error.WriteLine($"{readme} has no {Begin} … {End} markers to write the table between.");
            return 2;
        }
        var table = Render(stamp, summaries.SelectMany(ComparisonRow.Read).ToList());
        File.WriteAllText(readme, text[..(begin + Begin.Length)] + "\n" + table + text[end..]);
        Console.Write(table);
        return 0;
    }

    private static string Render(string stamp, IReadOnlyList<ComparisonRow> rows)
    {
        var table = new StringBuilder();
        table.AppendLine(stamp).AppendLine();
        table.AppendLine("| Work | Peer | DocEngine | Peer's figure | Ratio (DocEngine ÷ peer) | First bar | Met | Moonshot | Met | Also |");
        table.AppendLine("|---|---|---:|---:|---:|---|---|---|---|---|");
        foreach (var row in rows)
        {
            table.AppendLine($"| {row.Work} | {row.Peer} | {ComparisonRow.Figure(row.DocEngine)} {row.Unit} | {ComparisonRow.Figure(row.PeerFigure)} {row.Unit} | " +
                $"**{row.Ratio:0.00}×** | {row.Bar} | {(row.BarMet ? "**met**" : "not met")} | {row.Moonshot} | {(row.MoonshotMet ? "**met**" : "not met")} | {row.Note} |");
        }
        return table.ToString();
    }
}
