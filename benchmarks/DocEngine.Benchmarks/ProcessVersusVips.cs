using System.Diagnostics;
using DocEngine.Core.Imaging;
using DocEngine.Core.Processing;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>process-vs-vips [--runs 9] [--summary-json FILE]</c>: the 12-MP photo to a 1600-px JPEG, alternately with <c>vipsthumbnail -s 1600</c>
/// (Debian libvips-tools) and <c>docengine process --max-edge 1600 --format jpeg</c>, both as processes, plus the same
/// transform in-process. Reports medians and ratios.
/// </summary>
internal static class ProcessVersusVips
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var runs = rest is ["--runs", var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 9;
        var photo = PhotoInput.Path12Megapixel();
        var output = Path.Combine(Path.GetTempPath(), "docengine-bench-out");
        Directory.CreateDirectory(output);
        var vips = new List<double>();
        var ours = new List<double>();
        var inProcess = new List<double>();
        var processor = new DocumentProcessor(new ImagingConfiguration(new ProcessingOptions()));
        var bytes = await File.ReadAllBytesAsync(photo);
        for (var run = 0; run < runs + 1; run++)
        {
            var a = await TimeAsync("vipsthumbnail", photo, "-s", "1600", "-o", Path.Combine(output, "vips.jpg[Q=85,strip]"));
            var b = await OneShotCli.TimeAsync("process", photo, "--max-edge", "1600", "--format", "jpeg", "--out", Path.Combine(output, "docengine.jpg"));
            var clock = Stopwatch.StartNew();
            using (var sink = new MemoryStream())
            {
                processor.Process([new ProcessingInput(new MemoryStream(bytes), "photo.jpg")], new ProcessingRequest(OutputFormat.Jpeg, MaxEdge: 1600), sink, CancellationToken.None);
            }
            var c = clock.Elapsed.TotalMilliseconds;
            if (run > 0) // the first round warms caches and the JIT
            {
                vips.Add(a);
                ours.Add(b);
                inProcess.Add(c);
            }
        }
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine($"| 12 MP JPEG -> 1600 px JPEG | vipsthumbnail {Median(vips):F0} ms | docengine process {Median(ours):F0} ms ({Median(ours) / Median(vips):F1}x) | in-process {Median(inProcess):F0} ms ({Median(inProcess) / Median(vips):F1}x) |");
        Console.WriteLine($"  sizes: vips {new FileInfo(Path.Combine(output, "vips.jpg")).Length:N0} B, docengine {new FileInfo(Path.Combine(output, "docengine.jpg")).Length:N0} B");
        const string Peer = "`vipsthumbnail -s 1600` (a process)";
        ComparisonRow.Write(summary, [
            ComparisonRow.Time($"Thumbnail of a 12-MP photo (1600 px JPEG q85), in-process as the server and batch run it, median of {runs}", Peer,
                Median(inProcess), Median(vips), 3, 1),
            ComparisonRow.Time($"The same as a one-shot `docengine process` ({OneShotCli.CliStart}), median of {runs}", Peer,
                Median(ours), Median(vips), 3, 1),
        ]);
        return 0;
    }

    /// <summary>Milliseconds <paramref name="program"/> takes to run and exit; a failure throws with its stderr.</summary>
    internal static async Task<double> TimeAsync(string program, params string[] arguments) =>
        (await VerifyVersusPdfsig.ExecuteAsync(program, arguments)).Milliseconds;
}
