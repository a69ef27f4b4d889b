using System.Text.Json;
using DocEngine.Core.Batch;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Batch;

/// <summary>Input folders for batch tests, and readers for what a batch writes.</summary>
internal static class BatchFolders
{
    /// <summary>Photos that take the pipeline ~0.1 s each, distinct in content so none shares another's results.</summary>
    public static void WritePhotos(string folder, int count, int width = 1600, int height = 1200)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < count; i++)
        {
            using var image = new Image<Rgb24>(width, height);
            image.ProcessPixelRows(rows =>
            {
                for (var y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (var x = 0; x < row.Length; x++)
                    {
                        row[x] = new Rgb24((byte)(x * 7 + i * 13), (byte)(y * 5 + (x ^ y)), (byte)((x + y) * 3 + i));
                    }
                }
            });
            image.SaveAsJpeg(Path.Combine(folder, $"photo-{i:D3}.jpg"), new JpegEncoder { Quality = 90 });
        }
    }

    /// <summary>A JPEG cut off before its image data: what an interrupted download leaves.</summary>
    public static byte[] TruncatedJpeg()
    {
        using var image = new Image<Rgb24>(64, 48, new Rgb24(200, 30, 30));
        using var bytes = new MemoryStream();
        image.SaveAsJpeg(bytes);
        var all = bytes.ToArray();
        var startOfScan = all.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        Assert.True(startOfScan > 100, "The test JPEG has no start-of-scan marker.");
        return all[..(startOfScan / 2)];
    }

    /// <summary>
    /// A one-page PDF whose cross-reference data points at the wrong bytes (every object 7 bytes off, startxref 3 bytes
    /// into the table): a viewer repairs it by scanning, a strict reader cannot read it.
    /// </summary>
    public static byte[] PdfWithBrokenXref()
    {
        var text = System.Text.Encoding.Latin1.GetString(Previews.PreviewRenderingTests.SimplePdf(0));
        var table = text.LastIndexOf("\nxref\n", StringComparison.Ordinal) + 1;
        var entries = System.Text.RegularExpressions.Regex.Replace(text[table..text.IndexOf("trailer", table, StringComparison.Ordinal)],
            @"(\d{10}) 00000 n", m => $"{long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 7:D10} 00000 n");
        var trailer = text[text.IndexOf("trailer", table, StringComparison.Ordinal)..].Replace($"startxref\n{table}", $"startxref\n{table + 3}", StringComparison.Ordinal);
        return System.Text.Encoding.Latin1.GetBytes(text[..table] + entries + trailer);
    }

    /// <summary>The whole lines of OUT/report.jsonl; a last line cut short by a kill is left out.</summary>
    public static List<BatchReportLine> Report(string outFolder)
    {
        var path = Path.Combine(outFolder, "report.jsonl");
        if (!File.Exists(path))
        {
            return [];
        }
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var text = reader.ReadToEnd();
        return text.Split('\n')[..^1] // after the last newline: nothing, or a cut-short line
            .Select(line => JsonSerializer.Deserialize<BatchReportLine>(line, FileSystemBatchStore.JsonOptions)!)
            .ToList();
    }

    /// <summary>The done-marker of every step result a line refers to.</summary>
    public static IEnumerable<string> DoneMarkers(string outFolder, BatchReportLine line) =>
        line.Ops.Select(op => Path.Combine(outFolder, "results", line.Sha256![..2], line.Sha256, op.Key, "done.json"));

    /// <summary>Every file under results/ with its content hash: what a batch produced.</summary>
    public static SortedDictionary<string, string> Results(string outFolder) => new(
        Directory.EnumerateFiles(Path.Combine(outFolder, "results"), "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(outFolder, path), Infrastructure.TestData.Sha256OfFile),
        StringComparer.Ordinal);

    /// <summary>Every file under <paramref name="folder"/>, as the report names inputs.</summary>
    public static List<string> Inputs(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .Select(path => Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static BatchSummary Summary(string json) => JsonSerializer.Deserialize<BatchSummary>(json, FileSystemBatchStore.JsonOptions)!;
}
