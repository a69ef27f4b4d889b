using DocEngine.Tests.Corpus;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// The shared corpus manifests (../shared/corpus/manifest.tsv and ../shared/scans/manifest.tsv) as rows: the expected
/// outcome of every file, as its source project asserts it. Tests derive their expectations from this text.
/// </summary>
public static class CorpusManifest
{
    /// <summary>A corpus file and what its source says must happen to it.</summary>
    public sealed record Entry(string Path, string Name, string Expected);

    /// <summary>All rows of ../shared/corpus/manifest.tsv; skips the test loudly when ../shared is absent.</summary>
    public static IReadOnlyList<Entry> Corpus() => Load("corpus", expectedColumn: 7);

    /// <summary>All rows of ../shared/scans/manifest.tsv (expected column: the kind of scan).</summary>
    public static IReadOnlyList<Entry> Scans() => Load("scans", expectedColumn: 2);

    /// <summary>The full path of a corpus file by its manifest name, e.g. "png/pngsuite__basi0g02.png".</summary>
    public static string File(string folder, string name) => System.IO.Path.Combine(SharedCorpus.RequireOrSkip(), folder, name);

    /// <summary>The user password the manifest gives for a corpus PDF (full path), or null.</summary>
    public static string? Password(string path)
    {
        var expected = Corpus().Concat(Scans()).FirstOrDefault(e => e.Path == path)?.Expected ?? "";
        return System.Text.RegularExpressions.Regex.Match(expected, "[Uu]ser(?: password| and owner password both)? \"(\\w+)\"") is { Success: true } match
            ? match.Groups[1].Value
            : null;
    }

    /// <summary>What the manifest says of a corpus file (full path); empty when it is not listed.</summary>
    public static string Expected(string path) => Corpus().Concat(Scans()).FirstOrDefault(e => e.Path == path)?.Expected ?? "";

    private static List<Entry> Load(string folder, int expectedColumn)
    {
        var root = System.IO.Path.Combine(SharedCorpus.RequireOrSkip(), folder);
        return System.IO.File.ReadLines(System.IO.Path.Combine(root, "manifest.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(columns => columns.Length > expectedColumn)
            .Select(columns => new Entry(System.IO.Path.Combine(root, columns[0]), columns[0], columns[expectedColumn]))
            .ToList();
    }
}
