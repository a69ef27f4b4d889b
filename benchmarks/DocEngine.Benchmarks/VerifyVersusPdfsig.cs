using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DocEngine.Core;
using DocEngine.Core.Pdf;
using DocEngine.Core.Signatures;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>verify-vs-pdfsig [FOLDER] [--runs 20] [--warmup 3]</c>: every PDF in FOLDER (default
/// <c>../shared/corpus/pdf-signed</c>) has its signatures checked side by side, interleaved round by round in the same
/// run, by poppler's <c>pdfsig FILE</c> as a process (what a person runs), by DocEngine in-process
/// (<see cref="SignatureVerifier.VerifyPdf"/> on bytes already in memory, and again with the file read first), and by
/// <c>docengine verify FILE --json</c> as a process (.NET start-up included). Reports medians after the warm-up rounds,
/// ratios to pdfsig, and what each tool said about every signature. Exits 1 if any run failed.
/// </summary>
internal static class VerifyVersusPdfsig
{
    public static async Task<int> RunAsync(string[] args)
    {
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
        var cli = Path.Combine(UploadEndToEnd.FindRepository(), "src/DocEngine.Cli/bin/Release/net10.0/docengine.dll");
        if (!Directory.Exists(folder) || !File.Exists(cli))
        {
            Console.Error.WriteLine($"Needs {folder} and {cli} (dotnet build -c Release src/DocEngine.Cli).");
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
                    await MeasureAsync(row, cli, measured);
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
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"FAILED: {failure}");
        }
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary><c>../shared/corpus/pdf-signed</c>, beside the repository.</summary>
    internal static string SignedCorpus() =>
        Path.GetFullPath(Path.Combine(UploadEndToEnd.FindRepository(), "..", "shared", "corpus", "pdf-signed"));

    /// <summary>One round for one file: pdfsig, DocEngine in-process (twice) and the CLI, one after the other.</summary>
    private static async Task MeasureAsync(Row row, string cli, bool measured)
    {
        var pdfsig = await ExecuteAsync("pdfsig", row.File);

        var clock = Stopwatch.StartNew();
        var bytes = File.ReadAllBytes(row.File);
        var report = SignatureVerifier.VerifyPdf(bytes, null, TrustAnchors.None, CancellationToken.None);
        var withRead = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        report = SignatureVerifier.VerifyPdf(bytes, null, TrustAnchors.None, CancellationToken.None);
        var inMemory = clock.Elapsed.TotalMilliseconds;

        var process = await ExecuteAsync("dotnet", cli, "verify", row.File, "--json");
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
        var parts = new List<string>();
        var field = "?";
        foreach (var line in stdout.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("- Signature Field Name:", StringComparison.Ordinal))
            {
                field = line["- Signature Field Name:".Length..].Trim();
            }
            else if (line.StartsWith("- Signature Validation:", StringComparison.Ordinal))
            {
                parts.Add($"{field}: {line["- Signature Validation:".Length..].Trim()}");
            }
        }
        if (parts.Count == 0)
        {
            parts.Add(stdout.Trim().ReplaceLineEndings(" "));
        }
        var errors = stderr.Trim().ReplaceLineEndings(" ");
        return string.Join("; ", parts) + (errors.Length > 0 ? $" [{errors}]" : "");
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
    }
}
