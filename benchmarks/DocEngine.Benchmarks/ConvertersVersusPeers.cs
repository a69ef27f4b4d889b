using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DocEngine.Core.Archive;
using DocEngine.Core.Conversion;
using DocEngine.Core.Detection;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using DocEngine.Core.Workers;

namespace DocEngine.Benchmarks;

/// <summary>
/// The converters beside what people would otherwise script, on the same files in one run (issue 19):
/// <list type="bullet">
/// <item><c>convert-vs-soffice [--runs 3]</c>: the shared office corpus through the warm LibreOffice pool, against
/// <c>soffice --headless --convert-to pdf</c> once per file (one persistent profile, as a script would have);</item>
/// <item><c>ocr-vs-ocrmypdf [--runs 1]</c>: the shared scans without text through DocEngine's Tesseract path, against
/// <c>ocrmypdf --jobs 2 --output-type pdf --skip-text -l eng+fra</c>, with the bytes and the words each finds;</item>
/// <item><c>pdfa-vs-gs [--runs 3]</c>: PDF/A-2b copies through <see cref="PdfAWriter"/> (sandbox and conformance check
/// included), against the same <c>gs -dPDFA=2</c> command run directly.</item>
/// </list>
/// Documents go one after the other on both sides; medians of the rounds after a warm-up round.
/// </summary>
internal static partial class ConvertersVersusPeers
{
    private static string Shared => Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared");

    public static async Task<int> ConvertAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var runs = Runs(rest, 3);
        var work = Directory.CreateTempSubdirectory("docengine-bench-convert-").FullName;
        using var office = new OfficeConverter(new ConversionOptions());
        await office.WarmUpAsync(CancellationToken.None);
        // The files that convert (the corpus also holds encrypted and broken ones, refused by both in their own way).
        var files = new List<(string Path, DetectedType Type)>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(Shared, "corpus", "office")).Where(p => !p.EndsWith(".tsv", StringComparison.Ordinal) && !p.EndsWith(".md", StringComparison.Ordinal)).Order())
        {
            DetectedType type;
            await using (var content = File.OpenRead(path))
            {
                type = ContentDetector.Detect(content, Path.GetFileName(path));
            }
            try
            {
                await office.ConvertAsync(path, type, Path.GetFileName(path), Path.Combine(work, "probe.pdf"), null, CancellationToken.None);
                files.Add((path, type));
            }
            catch (DocEngineException)
            {
                // refused: not part of the timed set
            }
        }
        var profile = new Uri(Path.Combine(work, "soffice-profile")).AbsoluteUri;
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var (path, _) in files)
            {
                await VerifyVersusPdfsig.ExecuteAsync("soffice", "--headless", $"-env:UserInstallation={profile}", "--convert-to", "pdf", "--outdir", work, path);
            }
            var peer = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            foreach (var (path, type) in files)
            {
                await office.ConvertAsync(path, type, Path.GetFileName(path), Path.Combine(work, "docengine.pdf"), null, CancellationToken.None);
            }
            if (run > 0)
            {
                (theirs, ours) = ([.. theirs, peer], [.. ours, clock.Elapsed.TotalMilliseconds]);
            }
        }
        Console.WriteLine(Invariant($"| {files.Count} office files -> PDF | soffice --convert-to per file {Median(theirs):F0} ms | warm UNO pool {Median(ours):F0} ms ({Median(theirs) / Median(ours):F1}x faster) |"));
        ComparisonRow.Write(summary, [ComparisonRow.Time(
            Invariant($"DOCX/DOC/ODT/RTF/XLSX -> PDF, the {files.Count} convertible files of the shared office corpus one after another, warm pool, median of {runs}"),
            "`soffice --headless --convert-to pdf` per file (one persistent profile)", Median(ours), Median(theirs), 1 / 3.0, 0.1,
            "issue 19 expects ≥ 3× faster warm")]);
        Directory.Delete(work, recursive: true);
        return 0;
    }

    public static async Task<int> OcrAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var runs = Runs(rest, 1);
        var work = Directory.CreateTempSubdirectory("docengine-bench-ocr-").FullName;
        // As the service runs it: the PDF read and written in warm sandboxed workers, Tesseract and MuPDF as their own processes.
        await using var workers = WorkerPool.Start(new WorkerOptions(), work);
        await workers.WaitUntilWarmAsync(CancellationToken.None);
        var ocr = new TesseractOcr(new OcrOptions(), new MutoolRenderer(new MutoolOptions()), workers, new DocEngine.Core.Processing.ProcessingOptions());
        // The shared scans that are PDFs without a text layer.
        var files = Directory.EnumerateFiles(Path.Combine(Shared, "scans"), "*.pdf").Order()
            .Where(p => TesseractOcr.PagesWithoutText(p) is var pages && pages.Missing.Count == pages.Total && pages.Total <= 3).ToList();
        var ours = new List<double>();
        var theirs = new List<double>();
        long oursBytes = 0, theirBytes = 0;
        double agreement = 0;
        for (var run = 0; run <= runs; run++)
        {
            double peer = 0, mine = 0;
            (oursBytes, theirBytes, agreement) = (0, 0, 0);
            foreach (var file in files)
            {
                var theirsOut = Path.Combine(work, "ocrmypdf.pdf");
                var oursOut = Path.Combine(work, "docengine.pdf");
                peer += (await VerifyVersusPdfsig.ExecuteAsync("ocrmypdf", "--jobs", "2", "--output-type", "pdf", "--skip-text", "-l", "eng+fra", "-q", file, theirsOut)).Milliseconds;
                var clock = Stopwatch.StartNew();
                await ocr.AddTextLayerAsync(file, oursOut, work, CancellationToken.None);
                mine += clock.Elapsed.TotalMilliseconds;
                (oursBytes, theirBytes) = (oursBytes + new FileInfo(oursOut).Length, theirBytes + new FileInfo(theirsOut).Length);
                var (a, b) = (await WordsAsync(oursOut), await WordsAsync(theirsOut));
                agreement += b.Count == 0 ? 1 : (double)a.Intersect(b).Count() / b.Count / files.Count;
                Console.WriteLine(Invariant($"  {Path.GetFileName(file)}: ocrmypdf {new FileInfo(theirsOut).Length:N0} B, {b.Count} words; docengine {new FileInfo(oursOut).Length:N0} B, {a.Count} words, {a.Intersect(b).Count()} in common"));
            }
            if (run > 0)
            {
                (theirs, ours) = ([.. theirs, peer], [.. ours, mine]);
            }
        }
        var note = Invariant($"bytes out {oursBytes:N0} vs {theirBytes:N0}; {agreement:P0} of ocrmypdf's distinct words found too");
        Console.WriteLine(Invariant($"| OCR of {files.Count} scans | ocrmypdf --jobs 2 {Median(theirs):F0} ms | docengine {Median(ours):F0} ms ({Median(ours) / Median(theirs):F2}x) | {note} |"));
        ComparisonRow.Write(summary, [ComparisonRow.Time(
            Invariant($"OCR of the {files.Count} shared scans without a text layer, one after another, median of {runs}"),
            "`ocrmypdf --jobs 2 --output-type pdf --skip-text -l eng+fra`", Median(ours), Median(theirs), 1.0, 0.5, note)]);
        Directory.Delete(work, recursive: true);
        return 0;
    }

    public static async Task<int> ArchiveAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var runs = Runs(rest, 3);
        var work = Directory.CreateTempSubdirectory("docengine-bench-pdfa-").FullName;
        var writer = new PdfAWriter(new ArchiveOptions());
        var files = new[] { "irs__fw4-2025.pdf", "ocrmypdf__c02-22.pdf", "uscis__i-765.pdf", "paperless-ngx__many-qr-codes.pdf", "pikepdf__ccitt-endofline-true.pdf" }
            .Select(f => Path.Combine(Shared, "scans", f)).ToList();
        var icc = new[] { "/usr/share/color/icc/ghostscript/srgb.icc" }.First(File.Exists);
        var definitions = Path.Combine(work, "pdfa.ps");
        await File.WriteAllTextAsync(definitions, $$"""
            %!
            [/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
            [{icc_PDFA} << /N 3 >> /PUT pdfmark
            [{icc_PDFA} ({{icc}}) (r) file /PUT pdfmark
            [/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
            [{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark
            [{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
            """);
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            double peer = 0, mine = 0;
            foreach (var file in files)
            {
                peer += (await VerifyVersusPdfsig.ExecuteAsync("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFA=2", "-dPDFACompatibilityPolicy=2",
                    "-sColorConversionStrategy=RGB", "-sDEVICE=pdfwrite", $"-sOutputFile={Path.Combine(work, "gs.pdf")}", $"--permit-file-read={icc}", definitions, file)).Milliseconds;
                var clock = Stopwatch.StartNew();
                await writer.WriteAsync(file, Path.Combine(work, "docengine.pdf"), work, CancellationToken.None);
                mine += clock.Elapsed.TotalMilliseconds;
            }
            if (run > 0)
            {
                (theirs, ours) = ([.. theirs, peer], [.. ours, mine]);
            }
        }
        Console.WriteLine(Invariant($"| PDF/A-2b of {files.Count} PDFs | gs -dPDFA=2 {Median(theirs):F0} ms | docengine (sandboxed, checked) {Median(ours):F0} ms ({Median(ours) / Median(theirs):F2}x) |"));
        ComparisonRow.Write(summary, [ComparisonRow.Time(
            Invariant($"PDF/A-2b copies of {files.Count} shared PDFs (forms and scans), conformance check included, median of {runs}"),
            "`gs -dPDFA=2` with the same output intent", Median(ours), Median(theirs), 1.1, 1.0)]);
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static int Runs(string[] rest, int fallback) => rest is ["--runs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : fallback;

    private static double Median(List<double> values) => UploadEndToEnd.Median(values);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The distinct lower-case words of three letters or more that pdftotext reads.</summary>
    private static async Task<HashSet<string>> WordsAsync(string pdf) =>
        Word().Matches((await VerifyVersusPdfsig.ExecuteAsync("pdftotext", pdf, "-")).Out).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\p{L}{3,}")]
    private static partial Regex Word();
}
