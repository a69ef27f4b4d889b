using DocEngine.Core.Mupdf;
using DocEngine.Core.Processing;
using System.Diagnostics;
using System.Globalization;
using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>compress-vs-gs [--runs 3] [--summary-json FILE]</c>: every PDF in <c>../shared/scans</c>, plus two large scans assembled from the scans
/// folder's own images (the 3-page 300-dpi TIFF as a lossless PDF; a 20-page "phone scan" of the folder's photos with
/// their JPEGs embedded as they are), compressed side by side in the same run by DocEngine (in-process, as the server
/// runs it: default settings, and with a 4 MB budget) and by Ghostscript <c>-dPDFSETTINGS=/ebook</c>. Reports bytes,
/// the median time, and SSIM against the original (every page drawn by MuPDF at 100 dpi; mean and worst page). The
/// summary has the two assembled scans, each made to fit 4 MB, against DESIGN.md's bar: bytes no more than gs's, SSIM
/// (mean, as printed: three decimals) no less, time at most 1.5× gs's.
/// </summary>
internal static class CompressVersusGhostscript
{
    private const long Budget = 4_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var runs = rest is ["--runs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
        var scans = Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", "scans"));
        var work = Directory.CreateTempSubdirectory("docengine-bench-compress").FullName;
        try
        {
            var inputs = Directory.GetFiles(scans, "*.pdf").Order(StringComparer.Ordinal).ToList();
            var assembled = new[] { LosslessTiffScan(scans, work), PhoneScan(scans, work, pages: 20) };
            inputs.AddRange(assembled);
            var rows = new List<ComparisonRow>();
            var compressor = new PdfCompressor(new MutoolRenderer(new PreviewOptions()), new ProcessingOptions());
            Console.WriteLine($"| file | pages | input | gs /ebook | DocEngine default | DocEngine --max-bytes 4MB | time gs | time default | time 4MB | SSIM gs (mean/worst) | SSIM default | SSIM 4MB |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var input in inputs)
            {
                var gs = Path.Combine(work, "gs.pdf");
                var (gsTimes, ourTimes, budgetTimes) = (new List<double>(), new List<double>(), new List<double>());
                PdfCompression? ours = null, fitted = null;
                for (var run = 0; run <= runs; run++)
                {
                    var clock = Stopwatch.StartNew();
                    Run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-dPDFSETTINGS=/ebook", $"-sOutputFile={gs}", input);
                    var gsTime = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    ours = await compressor.CompressAsync(input, new PdfCompressionRequest(), Fresh(work, "default"), CancellationToken.None);
                    var ourTime = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    fitted = await compressor.CompressAsync(input, new PdfCompressionRequest(MaxBytes: Budget), Fresh(work, "budget"), CancellationToken.None);
                    var budgetTime = clock.Elapsed.TotalMilliseconds;
                    if (run > 0) // the first round warms the JIT and the file cache
                    {
                        gsTimes.Add(gsTime);
                        ourTimes.Add(ourTime);
                        budgetTimes.Add(budgetTime);
                    }
                }
                var pages = ours!.Pages;
                var original = Draw(input, pages);
                (double Mean, double Worst) Ssim(string path)
                {
                    var values = original.Zip(Draw(path, pages), Similarity.Ssim).ToList();
                    return (values.Average(), values.Min());
                }
                static string Describe((double Mean, double Worst) ssim) => string.Create(CultureInfo.InvariantCulture, $"{ssim.Mean:F3} / {ssim.Worst:F3}");
                var fittedPath = fitted!.Parts.Count == 1 ? fitted.Parts[0].Path : null;
                var (gsSsim, fittedSsim) = (Ssim(gs), fittedPath is null ? ((double, double)?)null : Ssim(fittedPath));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(input)} | {pages} | {ByteSize.Describe(new FileInfo(input).Length)} | {ByteSize.Describe(new FileInfo(gs).Length)} | " +
                    $"{ByteSize.Describe(ours.Parts[0].Bytes)} | {ByteSize.Describe(fitted.Parts.Sum(p => p.Bytes))}{(fitted.Parts.Count > 1 ? $" ({fitted.Parts.Count} parts)" : "")} | " +
                    $"{UploadEndToEnd.Median(gsTimes):F0} ms | {UploadEndToEnd.Median(ourTimes):F0} ms | {UploadEndToEnd.Median(budgetTimes):F0} ms | " +
                    $"{Describe(gsSsim)} | {Describe(Ssim(ours.Parts[0].Path))} | {(fittedSsim is { } f ? Describe(f) : "-")} |"));
                if (assembled.Contains(input))
                {
                    rows.Add(SummaryRow(input, pages, new FileInfo(gs).Length, gsSsim, UploadEndToEnd.Median(gsTimes), fitted, fittedSsim, UploadEndToEnd.Median(budgetTimes), runs));
                }
            }
            ComparisonRow.Write(summary, rows);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>DESIGN.md's row: bytes ≤ gs's with SSIM ≥ gs's (three decimals, as printed), every part ≤ 4 MB, time ≤ 1.5× gs's (moonshot 0.5×).</summary>
    private static ComparisonRow SummaryRow(string input, int pages, long gsBytes, (double Mean, double Worst) gsSsim, double gsTime,
        PdfCompression fitted, (double Mean, double Worst)? fittedSsim, double time, int runs)
    {
        var bytes = fitted.Parts.Sum(p => p.Bytes);
        var ssim = fittedSsim?.Mean;
        var quality = bytes <= gsBytes && fitted.Parts.All(p => p.Bytes <= Budget) && ssim is { } s && Math.Round(s, 3) >= Math.Round(gsSsim.Mean, 3);
        return ComparisonRow.Time(
            string.Create(CultureInfo.InvariantCulture, $"Compress {Path.GetFileName(input)} ({pages} pages, {ByteSize.Describe(new FileInfo(input).Length)}) to ≤ 4 MB, in-process, median of {runs}"),
            "Ghostscript `-dPDFSETTINGS=/ebook`", time, gsTime, 1.5, 0.5,
            string.Create(CultureInfo.InvariantCulture, $"bytes {ByteSize.Describe(bytes)}{(fitted.Parts.Count > 1 ? $" in {fitted.Parts.Count} parts" : "")} vs gs {ByteSize.Describe(gsBytes)}; " +
                $"SSIM mean {(ssim is { } m ? m.ToString("F3", CultureInfo.InvariantCulture) : "-")} vs gs {gsSsim.Mean:F3}{(quality ? "" : " (bytes or SSIM bar not met)")}"),
            also: quality);
    }

    private static string Fresh(string work, string name)
    {
        var directory = Path.Combine(work, name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        return Directory.CreateDirectory(directory).FullName;
    }

    /// <summary>The 3-page 300-dpi LZW TIFF as MuPDF converts it: a lossless (Flate) scan PDF.</summary>
    internal static string LosslessTiffScan(string scans, string work)
    {
        var output = Path.Combine(work, "tiff-300dpi-lossless.pdf");
        Run("mutool", "convert", "-o", output, Path.Combine(scans, "derived__naps2-scans-300dpi-lzw.tif"));
        return output;
    }

    /// <summary>A phone scan: the folder's photos, their JPEG bytes embedded unchanged, one per page, cycled to <paramref name="pages"/> pages.</summary>
    internal static string PhoneScan(string scans, string work, int pages) => BenchInputs.PdfOfJpegs(
        Directory.GetFiles(scans, "*.jpg").Order(StringComparer.Ordinal).ToList(), pages, Path.Combine(work, $"phone-scan-{pages}-pages.pdf"));

    internal static List<Image<Rgb24>> Draw(string path, int pages)
    {
        var directory = Directory.CreateTempSubdirectory("docengine-bench-draw");
        try
        {
            Run("mutool", "draw", "-q", "-r", "100", "-o", Path.Combine(directory.FullName, "p%d.png"), path, $"1-{pages}");
            return Enumerable.Range(1, pages).Select(p => Image.Load<Rgb24>(Path.Combine(directory.FullName, $"p{p}.png"))).ToList();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    internal static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {stderr}");
        }
        _ = stdout.Result;
    }
}
