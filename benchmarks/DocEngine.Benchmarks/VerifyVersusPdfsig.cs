using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DocEngine.Core.Pdf;
using DocEngine.Core.Signatures;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>verify-vs-pdfsig [FOLDER] [--runs 20] [--warmup 3] [--summary-json FILE]</c>: every PDF in FOLDER (default
/// <c>../shared/corpus/pdf-signed</c>) has its signatures checked side by side, interleaved round by round in the same
/// run, by poppler's <c>pdfsig FILE</c> as a process (what a person runs), by DocEngine in-process
/// (<see cref="SignatureVerifier.VerifyPdf"/> on bytes already in memory, and again with the file read first), and by
/// <c>docengine verify FILE --json</c> as a process (start-up included; <see cref="OneShotCli"/>). Reports medians after the warm-up rounds,
/// ratios to pdfsig, and what each tool said about every signature; with the corpus's manifest beside FOLDER, how many
/// verdicts each got right (<see cref="Correct"/>). Exits 1 if any run failed.
/// </summary>
internal static class VerifyVersusPdfsig
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        args = rest;
        var (runs, warmups, folder) = (20, 3, SignedCorpus());
        for (var i = 0; i < args.Length; i++)
        {
            _ = args[i] switch
            {
                "--runs" => runs = int.Parse(args[++i], CultureInfo.InvariantCulture),
                "--warmup" => warmups = int.Parse(args[++i], CultureInfo.InvariantCulture),
                _ when !args[i].StartsWith("--", StringComparison.Ordinal) => (folder = Path.GetFullPath(args[i])).Length,
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (!Directory.Exists(folder) || !OneShotCli.Exists)
        {
            Console.Error.WriteLine($"Needs {folder} and {OneShotCli.Describe} (dotnet build -c Release src/DocEngine.Cli).");
            return 1;
        }
        var rows = Directory.GetFiles(folder, "*.pdf").Order(StringComparer.Ordinal).Select(f => new Row(f)).ToList();
        var failures = new List<string>();
        for (var round = 0; round < warmups + runs; round++)
        {
            var measured = round >= warmups; // the warm-up rounds load the JIT, NSS's database and the file cache
            foreach (var row in rows)
            {
                try
                {
                    await MeasureAsync(row, measured);
                }
                catch (Exception e) when (e is InvalidOperationException or DocEngineException or JsonException)
                {
                    failures.Add($"{Path.GetFileName(row.File)}, round {round}: {e.Message}");
                    row.Failed = true;
                }
            }
            Console.Error.WriteLine($"round {round}{(measured ? "" : " (warm-up)")} done");
        }

        Console.WriteLine($"Signature verification, median of {runs} rounds after {warmups} warm-up rounds (ms); {Environment.ProcessorCount} cores:");
        Console.WriteLine("| file | pages | bytes | pdfsig | DocEngine in-process (in memory) | in-process incl. read | in-process / pdfsig | docengine verify --json | CLI / pdfsig |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var good = rows.Where(r => !r.Failed).ToList();
        foreach (var row in good)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(row.File)} | {row.Pages} | {row.Bytes:N0} | {Median(row.Pdfsig):F1} | {Median(row.InMemory):F2} | {Median(row.WithRead):F2} | " +
                $"{Median(row.WithRead) / Median(row.Pdfsig):F3}x | {Median(row.Cli):F0} | {Median(row.Cli) / Median(row.Pdfsig):F1}x |"));
        }
        if (good.Count > 0)
        {
            double Sum(Func<Row, List<double>> column) => good.Sum(r => Median(column(r)));
            double GeoMean(Func<Row, List<double>> column) => Math.Exp(good.Average(r => Math.Log(Median(column(r)) / Median(r.Pdfsig))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| **all {good.Count} files** (sum of medians; ratios: geomean per file) | {good.Sum(r => r.Pages)} | {good.Sum(r => r.Bytes):N0} | {Sum(r => r.Pdfsig):F1} | " +
                $"{Sum(r => r.InMemory):F2} | {Sum(r => r.WithRead):F2} | {GeoMean(r => r.WithRead):F3}x (in memory {GeoMean(r => r.InMemory):F3}x) | " +
                $"{Sum(r => r.Cli):F0} | {GeoMean(r => r.Cli):F1}x |"));
        }
        Console.WriteLine();
        Console.WriteLine("What each said (last round):");
        Console.WriteLine("| file | pdfsig: field: Signature Validation [stderr] | DocEngine verdict; field: integrity / changed after |");
        Console.WriteLine("|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {Path.GetFileName(row.File)} | {row.PdfsigSaid} | {row.DocEngineSaid} |");
        }
        var expected = ExpectedOutcomes(folder);
        var judged = good.Where(r => expected.ContainsKey(Path.GetFileName(r.File))).ToList();
        var (ourRight, theirRight) = (judged.Count(r => Correct(r, expected, docEngine: true)), judged.Count(r => Correct(r, expected, docEngine: false)));
        if (judged.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Correct verdicts against the manifest ({judged.Count} files): DocEngine {ourRight}, pdfsig {theirRight}.");
        }
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"FAILED: {failure}");
        }
        if (good.Count > 0)
        {
            WriteSummary(summary, good, runs, judged.Count, ourRight, theirRight);
        }
        return failures.Count == 0 ? 0 : 1;
    }

    private static void WriteSummary(string? path, List<Row> good, int runs, int judged, int ourRight, int theirRight)
    {
        double Sum(Func<Row, List<double>> column) => good.Sum(r => Median(column(r)));
        double GeoMean(Func<Row, List<double>> column) => Math.Exp(good.Average(r => Math.Log(Median(column(r)) / Median(r.Pdfsig))));
        var verdicts = judged > 0 ? $"correct verdicts: DocEngine {ourRight} of {judged}, pdfsig {theirRight} of {judged}" : "verdicts not judged (no manifest)";
        var moreRight = judged > 0 && ourRight > theirRight;
        var work = $"Verify all signatures of {good.Count} signed PDFs (sum of per-file medians of {runs}; ratio: geometric mean per file)";
        ComparisonRow.Write(path, [
            ComparisonRow.Time($"{work}, in-process, file read included", "`pdfsig FILE` (a process)", Sum(r => r.WithRead), Sum(r => r.Pdfsig), 1, 0.25,
                verdicts, also: moreRight, ratio: GeoMean(r => r.WithRead)),
            ComparisonRow.Time($"The same as a one-shot `docengine verify --json` ({OneShotCli.NativeStart})", "`pdfsig FILE` (a process)", Sum(r => r.Cli), Sum(r => r.Pdfsig), 2, 1,
                verdicts, also: moreRight, ratio: GeoMean(r => r.Cli)),
        ]);
    }

    /// <summary>
    /// File name → expected outcome, from the corpus's <c>manifest.tsv</c> one folder up (empty when there is none). A
    /// manifest that speaks of an unsigned or "not signed" field expects no signature; any other expects every
    /// signature valid and intact: true of every file in <c>pdf-signed</c>.
    /// </summary>
    private static Dictionary<string, bool> ExpectedOutcomes(string folder)
    {
        var manifest = Path.Combine(folder, "..", "manifest.tsv");
        if (!File.Exists(manifest))
        {
            return [];
        }
        var prefix = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) + "/";
        return File.ReadLines(manifest).Select(line => line.Split('\t')).Where(f => f.Length > 7 && f[0].StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(f => f[0][prefix.Length..], f => !(f[7].Contains("unsigned", StringComparison.OrdinalIgnoreCase) || f[7].Contains("not signed", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// Whether a tool's verdict on a file is right: on a signed file, every signature reported valid (pdfsig: each
    /// "Signature Validation" line "Signature is Valid."; DocEngine: valid, trusted or not, every signature intact); on an
    /// unsigned one, no signature reported at all (DocEngine: not signed). Certificate trust is left out on both sides.
    /// </summary>
    private static bool Correct(Row row, Dictionary<string, bool> expected, bool docEngine) => (expected[Path.GetFileName(row.File)], docEngine) switch
    {
        (true, true) => row.Verdict is SignatureVerdict.Valid or SignatureVerdict.ValidUntrusted && row.AllIntact,
        (false, true) => row.Verdict == SignatureVerdict.NotSigned,
        (true, false) => row.PdfsigValidations.Count > 0 && row.PdfsigValidations.All(v => v == "Signature is Valid."),
        (false, false) => row.PdfsigValidations.Count == 0,
    };

    /// <summary><c>../shared/corpus/pdf-signed</c>, beside the repository.</summary>
    internal static string SignedCorpus() =>
        Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", "corpus", "pdf-signed"));

    /// <summary>One round for one file: pdfsig, DocEngine in-process (twice) and the CLI, one after the other.</summary>
    private static async Task MeasureAsync(Row row, bool measured)
    {
        var pdfsig = await ExecuteAsync("pdfsig", row.File);

        var clock = Stopwatch.StartNew();
        var bytes = File.ReadAllBytes(row.File);
        var report = SignatureVerifier.VerifyPdf(bytes, null, TrustAnchors.None, CancellationToken.None);
        var withRead = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        report = SignatureVerifier.VerifyPdf(bytes, null, TrustAnchors.None, CancellationToken.None);
        var inMemory = clock.Elapsed.TotalMilliseconds;

        var (program, arguments) = OneShotCli.Command("verify", row.File, "--json");
        var process = await ExecuteAsync(program, arguments);
        using var json = JsonDocument.Parse(process.Out);
        var cliVerdict = json.RootElement.GetProperty("report").GetProperty("verdict").GetString();
        var expected = "VERDICT" + string.Concat(report.Verdict.ToString().Select(c => char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
        if (cliVerdict != expected)
        {
            throw new InvalidOperationException($"the CLI said {cliVerdict}, in-process said {expected}");
        }

        if (row.Pages == 0)
        {
            using var stream = new MemoryStream(bytes);
            (row.Pages, row.Bytes) = (PdfInspector.Outline(stream, null).Pages, bytes.Length);
        }
        row.PdfsigSaid = DescribePdfsig(pdfsig.Out, pdfsig.Err);
        row.PdfsigValidations = Validations(pdfsig.Out).Select(v => v.Said).ToList();
        (row.Verdict, row.AllIntact) = (report.Verdict, report.Signatures.All(s => s.Integrity == SignatureIntegrity.Intact));
        row.DocEngineSaid = $"{report.Verdict}; " + string.Join("; ", report.Signatures.Select(s => $"{s.FieldName} ({s.Kind}): {s.Integrity} / {s.ModificationLevel}")
            .Concat(report.UnsignedSignatureFields.Select(f => $"{f}: empty field")));
        if (measured)
        {
            row.Pdfsig.Add(pdfsig.Milliseconds);
            row.WithRead.Add(withRead);
            row.InMemory.Add(inMemory);
            row.Cli.Add(process.Milliseconds);
        }
    }

    /// <summary>pdfsig's "Signature Validation:" line per field, and its stderr (e.g. "Unimplemented Feature").</summary>
    private static string DescribePdfsig(string stdout, string stderr)
    {
        var parts = Validations(stdout).Select(v => $"{v.Field}: {v.Said}").ToList();
        if (parts.Count == 0)
        {
            parts.Add(stdout.Trim().ReplaceLineEndings(" "));
        }
        var errors = stderr.Trim().ReplaceLineEndings(" ");
        return string.Join("; ", parts) + (errors.Length > 0 ? $" [{errors}]" : "");
    }

    /// <summary>pdfsig's fields and their "Signature Validation:" lines, in order.</summary>
    private static List<(string Field, string Said)> Validations(string stdout)
    {
        var validations = new List<(string, string)>();
        var field = "?";
        foreach (var line in stdout.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("- Signature Field Name:", StringComparison.Ordinal))
            {
                field = line["- Signature Field Name:".Length..].Trim();
            }
            else if (line.StartsWith("- Signature Validation:", StringComparison.Ordinal))
            {
                validations.Add((field, line["- Signature Validation:".Length..].Trim()));
            }
        }
        return validations;
    }

    /// <summary>Runs <paramref name="program"/> to its end; a non-zero exit throws with its stderr.</summary>
    internal static async Task<(double Milliseconds, string Out, string Err)> ExecuteAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}: {(await stderr).Trim()}");
        }
        return (elapsed, await stdout, await stderr);
    }

    private static double Median(List<double> values) => UploadEndToEnd.Median(values);

    /// <summary>One file's measurements and what each tool said about it.</summary>
    private sealed class Row(string file)
    {
        public string File { get; } = file;
        public int Pages { get; set; }
        public long Bytes { get; set; }
        public bool Failed { get; set; }
        public List<double> Pdfsig { get; } = [];
        public List<double> InMemory { get; } = [];
        public List<double> WithRead { get; } = [];
        public List<double> Cli { get; } = [];
        public string PdfsigSaid { get; set; } = "-";
        public string DocEngineSaid { get; set; } = "-";
        public List<string> PdfsigValidations { get; set; } = [];
        public SignatureVerdict Verdict { get; set; }
        public bool AllIntact { get; set; }
    }
}
