using System.Diagnostics;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;

namespace DocEngine.Benchmarks;

internal static class FitVersusGhostscript
{
    /// <summary><c>packets --out DIR</c>: writes both packets (from <c>../shared/scans</c>) for a person to look at or time.</summary>
    public static int WritePackets(string folder)
    {
        var scans = Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", "scans"));
        Directory.CreateDirectory(folder);
        foreach (var path in new[]
        {
            Packets.BilevelScans([.. Packets.BilevelSources.Select(s => Path.Combine(scans, s))], Path.Combine(folder, "bilevel-400dpi-18-pages.pdf")),
            Packets.Merge([.. Packets.MergedParts.Select(s => Path.Combine(scans, s))], Path.Combine(folder, "merged-forms-packet.pdf")),
        })
        {
            Console.WriteLine($"{path}: {new FileInfo(path).Length:N0} bytes");
        }
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var input = args[0];
        long? budget = args.Length > 1 && args[1] != "0" ? long.Parse(args[1]) : null;
        var minSsim = args.Length > 2 ? double.Parse(args[2]) : new ProcessingOptions().MinBilevelSimilarity;
        var compressor = new PdfCompressor(new MutoolRenderer(new PreviewOptions()), new ProcessingOptions { MaxProcessingTime = TimeSpan.FromMinutes(10), MinBilevelSimilarity = minSsim });
        var work = Directory.CreateTempSubdirectory("docengine-fit").FullName;
        var clock = Stopwatch.StartNew();
        var result = await compressor.CompressAsync(input, new PdfCompressionRequest(MaxBytes: budget), work, CancellationToken.None);
        Console.WriteLine($"{clock.ElapsedMilliseconds} ms, {result.Parts.Count} part(s), {result.Parts.Sum(p => p.Bytes):N0} bytes");
        foreach (var line in result.Report.Actions.Concat(result.Report.Warnings))
        {
            Console.WriteLine("  " + line);
        }
        if (result.Parts.Count == 1)
        {
            var original = CompressVersusGhostscript.Draw(input, result.Pages);
            var ssim = original.Zip(CompressVersusGhostscript.Draw(result.Parts[0].Path, result.Pages), DocEngine.Core.Imaging.Similarity.Ssim).ToList();
            Console.WriteLine("SSIM per page: " + string.Join(" ", ssim.Select(v => v.ToString("0.000"))));
        }
        foreach (var part in result.Parts)
        {
            File.Copy(part.Path, Path.Combine("/tmp/i18-packets", "fit-" + Path.GetFileName(part.Path)), true);
        }
        return 0;
    }
}
